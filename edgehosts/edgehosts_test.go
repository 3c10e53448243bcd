package edgehosts

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

func TestWriteReadJSON(t *testing.T) {
	f := File{Generated: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC), POPs: []Estimate{
		{POP: "HKG62-C1", Hosts: 8, Seen: 8, Low: 8, High: 9, Level: 0.95, Requests: 180, Method: "mark-recapture"},
		{POP: "FRA56-P3", Hosts: 32},
	}}
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"type": "edge-hosts"`) {
		t.Errorf("no type: %s", buf.String())
	}
	got, err := Read(&buf)
	if err != nil || len(got) != 2 || got["HKG62-C1"] != f.POPs[0] || got["FRA56-P3"].Hosts != 32 {
		t.Errorf("Read = %+v, %v", got, err)
	}
}

// zeros is an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestReadCSV(t *testing.T) {
	got, err := Read(strings.NewReader("# measured by hand\nPOP, Hosts, note\nhkg62-c1, 8, small\nFRA56-P3,32,\n"))
	if err != nil || got["HKG62-C1"].Hosts != 8 || got["FRA56-P3"].Hosts != 32 || len(got) != 2 {
		t.Errorf("Read = %+v, %v", got, err)
	}
	for in, want := range map[string]string{
		"pop,count\nHKG62-C1,8\n":                 "lacks pop and hosts",
		"pop,hosts\nHKG62-C1,eight\n":             "line 2: hosts \"eight\"",
		"pop,hosts\nHongKong,8\n":                 "want three letters",
		"pop,hosts\nHKG62-C1,0\n":                 "hosts 0",
		"pop,hosts\nHKG62-C1,8\nHKG62-C1,9\n":     "given twice",
		`{"schema": 9, "type": "edge-hosts"}`:     "schema 9",
		`{"schema": 1, "type": "lab-summary"}`:    "type \"lab-summary\"",
		`{"schema": 1, "type": "edge-hosts", "po`: "hosts file",
		// One document per file: anything after it is refused, naming its line.
		"{\"schema\": 1, \"type\": \"edge-hosts\",\n \"pops\": []}\ntrailing garbage\n": `hosts file: line 3: "trailing garbage" after the end of the JSON document`,
		"{\"schema\": 1, \"type\": \"edge-hosts\", \"pops\": []}\n\n{\"schema\": 1}":    `hosts file: line 3: "{\"schema\": 1}" after the end of the JSON document`,
		"{\"schema\": 1, \"type\": \"edge-hosts\", \"pops\": []}}":                      `hosts file: line 1: "}" after the end of the JSON document`,
		"{\"schema\": 1,\n \"type\": \"edge-hosts\",\n \"pops\": [}":                    "hosts file: line 3: invalid character '}'",
		"{\"schema\": 1,\n \"type\": 7}":                                                "hosts file: line 2: type: want a string, got a number",
	} {
		if _, err := Read(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Read(%q) = %v, want an error saying %q", in, err, want)
		}
	}
	// A wrong file (here: /dev/zero's endless line) is refused, not read into memory.
	if _, err := Read(io.LimitReader(zeros{}, 1<<30)); err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("an endless line: %v", err)
	}
}
