package jsonobj

import (
	"encoding/json"
	"testing"
)

type inner struct{ A int }

// MarshalJSON gives inner a form of its own, as probe.Result has.
func (i inner) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]int{"a": i.A, "twice": 2 * i.A})
}

func TestMerge(t *testing.T) {
	got, err := Merge(struct {
		Schema int    `json:"schema"`
		Type   string `json:"type"`
	}{2, "probe"}, inner{3})
	if err != nil || string(got) != `{"schema":2,"type":"probe","a":3,"twice":6}` {
		t.Errorf("Merge = %s, %v", got, err)
	}
	if got, _ := Merge(struct{}{}, inner{1}); string(got) != `{"a":1,"twice":2}` {
		t.Errorf("empty head: %s", got)
	}
	if got, _ := Merge(map[string]int{"x": 1}, struct{}{}); string(got) != `{"x":1}` {
		t.Errorf("empty tail: %s", got)
	}
	if _, err := Merge([]int{1}, inner{1}); err == nil {
		t.Error("a head that is not an object must fail")
	}
}
