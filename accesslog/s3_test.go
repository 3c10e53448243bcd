package accesslog

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

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
	srv := httptest.NewServer(gofakes3.New(backend).Server())
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
	if p.Total.Load() != size || p.Read.Load() != size {
		t.Errorf("progress %d of %d bytes, want %d", p.Read.Load(), p.Total.Load(), size)
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
