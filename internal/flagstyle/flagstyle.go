// Package flagstyle is the command-line style every main of the project
// shares, on pflag: GNU long flags (--name, and -s where a flag has a
// short form), a long flag written with one dash (-name, as Go's flag
// package takes it) read as --name, and the flag list --help prints.
// cfprewarm and current-time-app both use it, so that their flags are
// written and listed alike.
package flagstyle

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// Normalize rewrites -name and -name=value to --name... when name is a
// long flag of fs of more than one letter; every other argument stays, and
// so does everything after "--".
func Normalize(fs *pflag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if len(name) > 1 && fs.Lookup(name) != nil {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}

// PrintFlags writes the flag list of --help, in the order fs visits the
// flags: "-s, --name value" (the value's name from the usage's
// `backquoted` word, or the flag's type; none for a bool), then the usage
// indented on the next line, with the default unless it is a zero value.
func PrintFlags(w io.Writer, fs *pflag.FlagSet) {
	fs.VisitAll(func(fl *pflag.Flag) {
		name, usage := pflag.UnquoteUsage(fl)
		if name == "bool" {
			name = ""
		}
		short := "    "
		if fl.Shorthand != "" {
			short = "-" + fl.Shorthand + ", "
		}
		head := strings.TrimSpace(fmt.Sprintf("%s--%s %s", short, fl.Name, name))
		if fl.Shorthand == "" {
			head = "    " + head
		}
		fmt.Fprintf(w, "  %s\n        %s", head, usage)
		switch fl.DefValue {
		case "", "0", "0s", "false", "[]":
		default:
			fmt.Fprintf(w, " (default %s)", fl.DefValue)
		}
		fmt.Fprintln(w)
	})
}
