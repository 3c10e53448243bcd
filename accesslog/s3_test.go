package accesslog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// fakeS3 serves an S3-protocol store on loopback and points the AWS SDK's
// standard chain at static fake credentials, with the instance metadata
// service off and no shared files: nothing can reach AWS.
func fakeS3(t *testing.T, objects map[string][]byte) string {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("logs"); err != nil {
		t.Fatal(err)
	}
	for key, b := range objects {
		if _, err := backend.PutObject("logs", key, map[string]string{}, bytes.NewReader(b), int64(len(b)), nil); err != nil {
			t.Fatal(err)
		}
	}
	return loopbackS3(t, gofakes3.New(backend).Server())
}

// loopbackS3 serves h as the S3 endpoint on loopback, with the SDK's
// standard chain pointed at fake credentials (see fakeS3), and returns its
// URL.
func loopbackS3(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("fake S3 at %s: want loopback", srv.URL)
	}
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "fake-secret", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_S3": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
	} {
		t.Setenv(k, v)
	}
	return srv.URL
}

// TestS3 reads every object under a prefix through the real SDK client,
// gzip W3C and Parquet alike (a Parquet object is copied to a temporary
// file first: it needs random access), and reports a prefix with nothing
// under it.
func TestS3(t *testing.T) {
	es := entries(40)
	objects := map[string][]byte{
		"cf/E2EXAMPLE.2026-11-01-10.aaaa1111.gz":            gz(w3c(es[:10])),
		"cf/E2EXAMPLE.2026-11-01-11.bbbb2222.gz":            gz(w3c(es[10:20])),
		"cf/2026/11/01/E2EXAMPLE.2026-11-01-12.cccc3333.gz": gz(w3c(es[20:30])),
		"cf/v2/EDFDVBD6EXAMPLE/part-0000.parquet":           parquetLog(t, es[30:]),
		"other/E2EXAMPLE.2026-11-01-10.dddd4444.gz":         gz(w3c(es[:5])),
	}
	url := fakeS3(t, objects)
	cfg := Config{Inputs: []string{"s3://logs/cf/"}, S3: S3Config{Endpoint: url, Region: "eu-central-1"}}
	var p Progress
	cfg.Progress = &p
	recs, sum := readAll(t, cfg)
	equalRecords(t, recs, want(es, true))
	formats := map[string]int{}
	for _, f := range sum.Files {
		formats[f.Format]++
		if !strings.HasPrefix(f.Name, "s3://logs/cf/") || f.Bad != 0 || f.Error != "" {
			t.Errorf("file %+v", f)
		}
	}
	if len(sum.Files) != 4 || formats["w3c+gzip"] != 3 || formats["parquet"] != 1 {
		t.Errorf("files %+v", sum.Files)
	}
	var size int64
	for k, b := range objects {
		if strings.HasPrefix(k, "cf/") {
			size += int64(len(b))
		}
	}
	if p.Total.Load() != size || p.Read.Load() != size || p.Listed.Load() != 4 {
		t.Errorf("progress %d of %d bytes, %d objects listed; want %d bytes, 4 objects", p.Read.Load(), p.Total.Load(), p.Listed.Load(), size)
	}
	// No region given: an endpoint of one's own does not need one.
	cfg.S3.Region, cfg.Progress = "", nil
	recs, _ = readAll(t, cfg)
	equalRecords(t, recs, want(es, true))

	_, err := Read(context.Background(), Config{Inputs: []string{"s3://logs/none/"}, S3: cfg.S3}, func(int, *Record) {})
	if err == nil || !strings.Contains(err.Error(), "no objects") {
		t.Errorf("empty prefix: %v", err)
	}
}

// misbehavingS3 is an S3 endpoint that lists one object, cf/a.log, and
// misbehaves as told.
type misbehavingS3 struct {
	next     func(token string) string // the continuation token after token ("" for the first page); "" ends the listing
	hangList bool                      // never answer a listing
	hangGet  bool                      // never answer a GetObject
	trickle  time.Duration             // send the object one byte every trickle
	// truncatedNoToken says more objects follow, without a token.
	truncatedNoToken bool
	listCalls        atomic.Int64
}

func (m *misbehavingS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("list-type") == "2" {
		m.listCalls.Add(1)
		if m.hangList {
			<-r.Context().Done()
			return
		}
		next := ""
		if m.next != nil {
			next = m.next(r.URL.Query().Get("continuation-token"))
		}
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>logs</Name><Prefix>cf/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>`+
			`<IsTruncated>%t</IsTruncated><NextContinuationToken>%s</NextContinuationToken><Contents><Key>cf/a.log</Key><Size>%d</Size></Contents></ListBucketResult>`,
			next != "" || m.truncatedNoToken, next, len(trickleLog))
		return
	}
	if m.hangGet {
		<-r.Context().Done()
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(trickleLog)))
	for i := range len(trickleLog) {
		if _, err := w.Write(trickleLog[i : i+1]); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-time.After(m.trickle):
		case <-r.Context().Done():
			return
		}
	}
}

var trickleLog = w3c(entries(3))

// TestS3Misbehaving: a listing that repeats a continuation token (at once
// or in a cycle) or never answers, and an object that never answers or
// trickles in, each end with a message that says so, and a cancel (Ctrl-C)
// ends a hanging listing or a trickling read at once.
func TestS3Misbehaving(t *testing.T) {
	for _, tc := range []struct {
		name    string
		m       *misbehavingS3
		s3      S3Config
		cancel  time.Duration // cancel the context after this (0: never)
		err     string        // Read's error
		fileErr string        // the file's Error
	}{
		{name: "token repeated", m: &misbehavingS3{next: func(string) string { return "same" }},
			err: `s3: listing s3://logs/cf/: the store repeated continuation token "same" after 2 pages`},
		{name: "tokens in a cycle", m: &misbehavingS3{next: func(tok string) string { return map[string]string{"": "A", "A": "B", "B": "A"}[tok] }},
			err: `s3: listing s3://logs/cf/: the store repeated continuation token "A" after 3 pages`},
		{name: "truncated without a token", m: &misbehavingS3{truncatedNoToken: true},
			err: "s3: listing s3://logs/cf/: page 1 says more objects follow but gives no continuation token"},
		{name: "listing hangs", m: &misbehavingS3{hangList: true}, s3: S3Config{Timeout: 300 * time.Millisecond},
			err: "s3: listing s3://logs/cf/: no answer within 300ms"},
		{name: "listing hangs, canceled", m: &misbehavingS3{hangList: true}, cancel: 200 * time.Millisecond, err: context.Canceled.Error()},
		{name: "object hangs", m: &misbehavingS3{hangGet: true}, s3: S3Config{Timeout: 300 * time.Millisecond},
			fileErr: "no answer within 300ms"},
		{name: "body at 20 bytes/s", m: &misbehavingS3{trickle: 50 * time.Millisecond}, s3: S3Config{StallTimeout: 300 * time.Millisecond},
			fileErr: "less than 64 KiB in 300ms"},
		{name: "body at 20 bytes/s, canceled", m: &misbehavingS3{trickle: 50 * time.Millisecond}, cancel: 300 * time.Millisecond,
			err: context.Canceled.Error(), fileErr: "interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.s3.Endpoint = loopbackS3(t, tc.m)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel > 0 {
				time.AfterFunc(tc.cancel, cancel)
			}
			start := time.Now()
			sum, err := readWithin(t, ctx, Config{Inputs: []string{"s3://logs/cf/"}, S3: tc.s3}, 5*time.Second)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v", took)
			}
			switch {
			case tc.err == context.Canceled.Error():
				if !errors.Is(err, context.Canceled) {
					t.Errorf("error %v, want context.Canceled", err)
				}
			case tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.err)):
				t.Errorf("error %v, want %q", err, tc.err)
			}
			if tc.fileErr != "" && (len(sum.Files) != 1 || !strings.Contains(sum.Files[0].Error, tc.fileErr)) {
				t.Errorf("files %+v, want an error with %q", sum.Files, tc.fileErr)
			}
			if n := tc.m.listCalls.Load(); n > 3 {
				t.Errorf("%d listing calls", n)
			}
		})
	}
}
