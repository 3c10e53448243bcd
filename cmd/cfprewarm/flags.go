package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errHelp is returned (wrapped in usageError) when the user asked for --help;
// it exits 0 after the usage text was printed.
var errHelp = usageError{flag.ErrHelp}

// flagSet is a flag.FlagSet that never exits, keeps parse errors to one line
// (the caller prints them) and prints the full usage only for --help.
type flagSet struct {
	*flag.FlagSet
	synopsis string // "probe [flags] URL"
	about    string // a paragraph printed under the synopsis
	out      io.Writer
}

func newFlagSet(name, synopsis, about string, out io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, synopsis: synopsis, about: about, out: out}
}

func (f *flagSet) printUsage() {
	fmt.Fprintf(f.out, "Usage: cfprewarm %s\n\n", f.synopsis)
	if f.about != "" {
		fmt.Fprintf(f.out, "%s\n\n", strings.TrimSpace(f.about))
	}
	fmt.Fprintln(f.out, "Flags:")
	f.SetOutput(f.out)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
}

// parse parses args, allowing flags after positional arguments
// (cfprewarm probe URL --count 5), and maps errors to usage errors.
func (f *flagSet) parse(args []string) ([]string, error) {
	var positional []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printUsage()
				return nil, errHelp
			}
			return nil, usageError{err}
		}
		args = f.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// ipVersionFlags defines -4 and -6 on fs; the returned function gives the
// chosen IP version after parsing: 0 (both), 4 or 6.
func ipVersionFlags(fs *flagSet, what string) func() (int, error) {
	v4 := fs.Bool("4", false, what+" over IPv4 only")
	v6 := fs.Bool("6", false, what+" over IPv6 only")
	return func() (int, error) {
		switch {
		case *v4 && *v6:
			return 0, usagef("-4 and -6 exclude each other")
		case *v4:
			return 4, nil
		case *v6:
			return 6, nil
		}
		return 0, nil
	}
}
