package main

import (
	"bufio"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/ociimage"
)

// TestDockerBuildContextHasEveryPackage: the Dockerfile copies, and
// .dockerignore lets through, every package of this module that
// current-time-app and the base-file writer (cmd/ociimage) are built from
// (go list -deps), so the image builds.
func TestDockerBuildContextHasEveryPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".", "../ociimage").Output()
	if err != nil {
		t.Skipf("go list is not available here: %v", err)
	}
	var dirs []string
	for _, p := range strings.Fields(string(out)) {
		if rel, ok := strings.CutPrefix(p, ociimage.Module+"/"); ok {
			dirs = append(dirs, rel+"/")
		}
	}
	var copied []string
	for _, in := range readDockerfile(t).stages[0] {
		if f := strings.Fields(in.args); in.cmd == "COPY" && len(f) == 2 && strings.HasSuffix(f[0], "/") {
			copied = append(copied, f[0])
		}
	}
	allowed := lines(t, filepath.Join("..", "..", ".dockerignore"), func(l string) (string, bool) {
		return strings.CutPrefix(strings.TrimSpace(l), "!")
	})
	for _, d := range dirs {
		if !underAny(d, copied) {
			t.Errorf("the Dockerfile does not COPY %s (current-time-app or cmd/ociimage imports it)", d)
		}
		if !underAny(d, allowed) {
			t.Errorf(".dockerignore keeps %s out of the build context", d)
		}
	}
	if !slices.Contains(dirs, "internal/ociimage/") || !slices.Contains(dirs, "origin/") {
		t.Errorf("go list found only %v", dirs)
	}
}

// TestDockerfileMatchesMakeImage: the Dockerfile's final stage makes the
// image `make image` makes (internal/ociimage.Programs): on an empty base,
// the base files cmd/ociimage writes, the binary where the spec puts it,
// built static and trimmed, the same user, ports, entrypoint, arguments and
// label keys (the static labels with the same values), and nothing else.
func TestDockerfileMatchesMakeImage(t *testing.T) {
	p, _ := ociimage.Lookup("current-time-app")
	df := readDockerfile(t)
	if len(df.stages) != 2 || df.froms[1] != "scratch" {
		t.Fatalf("stages FROM %v: want a build stage and a final stage FROM scratch", df.froms)
	}
	var rootfs, binary string
	for _, in := range df.stages[0] {
		f := strings.Fields(in.args)
		if in.cmd != "RUN" {
			continue
		}
		if i := slices.Index(f, "rootfs"); i > 0 && f[i-1] == "./cmd/ociimage" && i+1 < len(f) {
			rootfs = f[i+1]
		}
		if i := slices.Index(f, "-o"); i >= 0 && i+1 < len(f) && slices.Contains(f, "build") && f[len(f)-1] == "./cmd/current-time-app" {
			binary = f[i+1]
			for _, need := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags="-s`, "-w"} {
				if !slices.Contains(f, need) {
					t.Errorf("the Dockerfile's go build lacks %s: %s", need, in.args)
				}
			}
		}
	}
	if rootfs == "" || binary == "" {
		t.Fatalf("the build stage writes no base files (go run ./cmd/ociimage rootfs DIR) or builds no binary (go build -o FILE ./cmd/current-time-app)")
	}

	var copies [][]string
	var ports []string
	labels := map[string]string{}
	var user string
	var entrypoint, cmd []string
	for _, in := range df.stages[1] {
		switch in.cmd {
		case "ARG":
		case "COPY":
			copies = append(copies, strings.Fields(in.args))
		case "USER":
			user = in.args
		case "EXPOSE":
			for _, port := range strings.Fields(in.args) {
				if !strings.Contains(port, "/") {
					port += "/tcp"
				}
				ports = append(ports, port)
			}
		case "LABEL":
			maps.Copy(labels, parseLabels(t, in.args))
		case "ENTRYPOINT":
			entrypoint = execForm(t, in)
		case "CMD":
			cmd = execForm(t, in)
		default:
			t.Errorf("the final stage's %s %s is not in the spec (internal/ociimage)", in.cmd, in.args)
		}
	}
	wantCopies := [][]string{{"--from=build", strings.TrimSuffix(rootfs, "/") + "/", "/"}, {"--from=build", binary, p.Path()}}
	if !reflect.DeepEqual(copies, wantCopies) {
		t.Errorf("final stage COPY %q, want %q", copies, wantCopies)
	}
	if user != ociimage.User {
		t.Errorf("USER %q, want %q", user, ociimage.User)
	}
	if !reflect.DeepEqual(ports, p.Ports) {
		t.Errorf("EXPOSE %v, want %v", ports, p.Ports)
	}
	if !reflect.DeepEqual(entrypoint, p.Entrypoint()) || !reflect.DeepEqual(cmd, p.Cmd) {
		t.Errorf("ENTRYPOINT %q CMD %q, want %q %q", entrypoint, cmd, p.Entrypoint(), p.Cmd)
	}
	stamped := ociimage.Stamp{}
	stamped.Version, stamped.Revision = "v1", "abc"
	want := ociimage.Labels(p, stamped, time.Now())
	if got, want := slices.Sorted(maps.Keys(labels)), slices.Sorted(maps.Keys(want)); !reflect.DeepEqual(got, want) {
		t.Errorf("LABEL keys %v, want %v", got, want)
	}
	for k, v := range p.StaticLabels() {
		if labels[k] != v {
			t.Errorf("LABEL %s=%q, want %q", k, labels[k], v)
		}
	}
}

// dockerfile is a Dockerfile's instructions, stage by stage.
type dockerfile struct {
	froms  []string        // each stage's base image
	stages [][]instruction // each stage's instructions after FROM
}

type instruction struct{ cmd, args string }

// readDockerfile reads ./Dockerfile: comments dropped, continued lines
// joined, instructions split into stages at FROM.
func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	var df dockerfile
	var logical string
	for _, l := range lines(t, "Dockerfile", func(l string) (string, bool) { return l, true }) {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		if cont, ok := strings.CutSuffix(l, "\\"); ok {
			logical += cont + " "
			continue
		}
		logical += l
		cmd, args, _ := strings.Cut(strings.TrimSpace(logical), " ")
		logical = ""
		args = strings.Join(strings.Fields(args), " ")
		switch cmd = strings.ToUpper(cmd); cmd {
		case "":
		case "FROM":
			f := strings.Fields(args)
			i := slices.IndexFunc(f, func(s string) bool { return !strings.HasPrefix(s, "--") })
			df.froms = append(df.froms, f[i])
			df.stages = append(df.stages, nil)
		default:
			if len(df.stages) == 0 {
				t.Fatalf("Dockerfile: %s before FROM", cmd)
			}
			df.stages[len(df.stages)-1] = append(df.stages[len(df.stages)-1], instruction{cmd, args})
		}
	}
	return df
}

// parseLabels reads LABEL's key="value" pairs.
func parseLabels(t *testing.T, s string) map[string]string {
	t.Helper()
	labels := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		key, rest, ok := strings.Cut(s, "=")
		if !ok || !strings.HasPrefix(rest, `"`) {
			t.Fatalf("LABEL %q: want key=\"value\" pairs", s)
		}
		end := strings.Index(rest[1:], `"`)
		if end < 0 {
			t.Fatalf("LABEL %q: unterminated value", s)
		}
		labels[key] = rest[1 : end+1]
		s = rest[end+2:]
	}
	return labels
}

// execForm reads an instruction's JSON (exec) form, the only form that
// runs the binary without a shell, which the image has not.
func execForm(t *testing.T, in instruction) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(in.args), &v); err != nil {
		t.Errorf("%s %s: want the JSON form: %v", in.cmd, in.args, err)
	}
	return v
}

func underAny(dir string, roots []string) bool {
	for _, r := range roots {
		if strings.HasPrefix(dir, r) {
			return true
		}
	}
	return false
}

func lines(t *testing.T, name string, pick func(string) (string, bool)) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := pick(sc.Text()); ok {
			out = append(out, v)
		}
	}
	return out
}
