package flagstyle

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func testSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.IntP("count", "c", 1, "probes to send")
	fs.String("listen", ":8080", "listen `address` host:port")
	fs.Duration("timeout", 0, "time limit")
	fs.Bool("json", false, "print JSON")
	fs.StringArray("header", nil, "extra `header` (repeatable)")
	return fs
}

// A long flag written with one dash is read as --name; short flags,
// unknown names, values and everything after "--" stay as written.
func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"-count 5 URL", "--count 5 URL"},
		{"-listen=:9000 -json", "--listen=:9000 --json"},
		{"-c 5 -port 80 --json", "-c 5 -port 80 --json"},
		{"URL -- -count", "URL -- -count"},
		{"- -x", "- -x"},
	} {
		if got := strings.Join(Normalize(testSet(), strings.Fields(c.in)), " "); got != c.want {
			t.Errorf("Normalize(%s) = %s, want %s", c.in, got, c.want)
		}
	}
	fs := testSet()
	if err := fs.Parse(Normalize(fs, []string{"-count", "3", "-timeout=2s"})); err != nil {
		t.Fatal(err)
	}
	if n, _ := fs.GetInt("count"); n != 3 {
		t.Errorf("count %d, want 3", n)
	}
	if d, _ := fs.GetDuration("timeout"); d != 2*time.Second {
		t.Errorf("timeout %v, want 2s", d)
	}
}

// The flag list: "-s, --name value" aligned with the long-only flags,
// the usage on the next line, the default unless it is a zero value.
func TestPrintFlags(t *testing.T) {
	var b strings.Builder
	PrintFlags(&b, testSet())
	want := fmt.Sprint(
		"  -c, --count int\n        probes to send (default 1)\n",
		"      --listen address\n        listen address host:port (default :8080)\n",
		"      --timeout duration\n        time limit\n",
		"      --json\n        print JSON\n",
		"      --header header\n        extra header (repeatable)\n",
	)
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
