package accesslog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cfprewarm/cfprewarm/internal/config"
)

// S3Config says how to reach S3. The credentials and, unless Region is
// set, the region come from the SDK's standard chain (environment, shared
// config and credentials files, SSO, container and instance roles).
type S3Config struct {
	// Endpoint is the base URL of an S3-compatible store, e.g.
	// http://127.0.0.1:9000; it implies path-style addressing. Empty means
	// AWS.
	Endpoint string
	// Region overrides the region of the standard chain.
	Region string
	// Timeout bounds each listing page and the wait for an object's
	// response to begin (default 1 min): a store that never answers
	// fails the listing, or the object.
	Timeout time.Duration
	// StallTimeout abandons an object whose body brings less than 64 KiB
	// (or its end) in this long (default 1 min): a body trickling at a
	// byte a second ends there, with the lines read before it kept.
	StallTimeout time.Duration
}

// Defaults of S3Config's zero fields.
const (
	DefaultS3Timeout      = time.Minute
	DefaultS3StallTimeout = time.Minute
)

// stallBytes is what an object's body must bring in every StallTimeout.
const stallBytes = 64 << 10

func (c S3Config) withDefaults() S3Config {
	config.Default(&c.Timeout, DefaultS3Timeout)
	config.Default(&c.StallTimeout, DefaultS3StallTimeout)
	return c
}

type s3Lister struct {
	client *s3.Client
	cfg    S3Config
}

func newS3Lister(ctx context.Context, c S3Config) (*s3Lister, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, awsconfig.WithRegion(c.Region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3: loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		if c.Endpoint == "" {
			return nil, fmt.Errorf("s3: no region: set AWS_REGION or give --s3-region (the bucket's region)")
		}
		cfg.Region = "us-east-1" // S3-compatible stores mostly ignore it, but the signer needs one
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
			o.UsePathStyle = true
		}
		// Logs are checked by their own framing (gzip CRC, Parquet
		// footer); S3-compatible stores often lack the newer checksums.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return &s3Lister{client: client, cfg: c.withDefaults()}, nil
}

// list returns every object under s3://bucket/prefix, counting them in
// listed (when not nil) as the pages come. A store that hands out a
// continuation token a second time (at once or in a cycle) would make the
// listing endless: that is an error, as is a page that does not come
// within the timeout.
func (l *s3Lister) list(ctx context.Context, url string, listed *atomic.Int64) ([]Source, error) {
	bucket, prefix, err := splitS3(url)
	if err != nil {
		return nil, err
	}
	var out []Source
	p := s3.NewListObjectsV2Paginator(l.client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)},
		func(o *s3.ListObjectsV2PaginatorOptions) { o.StopOnDuplicateToken = true })
	tokens := map[string]bool{}
	for pages := 1; p.HasMorePages(); pages++ {
		page, err := l.page(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("s3: listing %s: %w", url, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") {
				continue // a "folder" marker
			}
			out = append(out, Source{
				Name: "s3://" + bucket + "/" + key,
				Size: aws.ToInt64(o.Size),
				open: func(ctx context.Context) (io.ReadCloser, error) { return l.open(ctx, bucket, key) },
			})
			if listed != nil {
				listed.Add(1)
			}
		}
		if aws.ToBool(page.IsTruncated) {
			next := aws.ToString(page.NextContinuationToken)
			if next == "" {
				return nil, fmt.Errorf("s3: listing %s: page %d says more objects follow but gives no continuation token: "+
					"the listing would stop short; check the S3-compatible store", url, pages)
			}
			if tokens[next] {
				return nil, fmt.Errorf("s3: listing %s: the store repeated continuation token %q after %d pages (%d objects): "+
					"its listing would never end; check the S3-compatible store", url, next, pages, len(out))
			}
			tokens[next] = true
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("s3: %s: no objects under this prefix", url)
	}
	return out, nil
}

// errNoAnswer ends a request that got no answer within S3Config.Timeout.
var errNoAnswer = errors.New("no answer")

// page fetches the paginator's next page within the timeout.
func (l *s3Lister) page(ctx context.Context, p *s3.ListObjectsV2Paginator) (*s3.ListObjectsV2Output, error) {
	pctx, cancel := context.WithTimeoutCause(ctx, l.cfg.Timeout, errNoAnswer)
	defer cancel()
	page, err := p.NextPage(pctx)
	return page, l.explain(ctx, pctx, err)
}

// explain returns ctx's error when ctx ended (the caller was
// interrupted), says so when the timeout of rctx passed, and otherwise
// returns err.
func (l *s3Lister) explain(ctx, rctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(context.Cause(rctx), errNoAnswer):
		return fmt.Errorf("no answer within %v", l.cfg.Timeout)
	}
	return err
}

// open starts reading an object: its response must begin within the
// timeout, and its body keep coming (see stallReader).
func (l *s3Lister) open(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	rctx, cancel := context.WithCancelCause(ctx)
	wait := time.AfterFunc(l.cfg.Timeout, func() { cancel(errNoAnswer) })
	res, err := l.client.GetObject(rctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if !wait.Stop() || err != nil {
		cancel(nil)
		if err == nil {
			res.Body.Close()
			err = context.Cause(rctx)
		}
		err = l.explain(ctx, rctx, err)
		if ctx.Err() == nil && errors.Is(context.Cause(rctx), errNoAnswer) {
			err = fmt.Errorf("s3: %w", err) // the SDK's own errors name S3 already
		}
		return nil, err
	}
	return newStallReader(rctx, res.Body, l.cfg.StallTimeout, cancel), nil
}

// errStalled ends a body that came too slowly.
var errStalled = errors.New("stalled")

// stallReader is an object's body that must bring stallBytes, or its
// end, in every window; otherwise the request is canceled and reads fail
// with a message that says why.
type stallReader struct {
	ctx    context.Context // the request's
	body   io.ReadCloser
	window time.Duration
	cancel context.CancelCauseFunc
	n      atomic.Int64 // bytes read
	done   atomic.Bool  // the end was read, or Close called

	mu    sync.Mutex
	timer *time.Timer
	last  int64 // n at the last check
}

func newStallReader(ctx context.Context, body io.ReadCloser, window time.Duration, cancel context.CancelCauseFunc) *stallReader {
	r := &stallReader{ctx: ctx, body: body, window: window, cancel: cancel}
	r.mu.Lock()
	r.timer = time.AfterFunc(window, r.check)
	r.mu.Unlock()
	return r
}

// check runs once a window.
func (r *stallReader) check() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done.Load() {
		return
	}
	n := r.n.Load()
	if n-r.last < stallBytes {
		r.cancel(errStalled)
		return
	}
	r.last = n
	r.timer.Reset(r.window)
}

func (r *stallReader) Read(p []byte) (int, error) {
	n, err := r.body.Read(p)
	r.n.Add(int64(n))
	switch {
	case err == io.EOF:
		r.done.Store(true)
	case err != nil && errors.Is(context.Cause(r.ctx), errStalled):
		err = fmt.Errorf("s3: less than %d KiB in %v: the object comes too slowly", stallBytes>>10, r.window)
	}
	return n, err
}

func (r *stallReader) Close() error {
	r.done.Store(true)
	r.mu.Lock()
	r.timer.Stop()
	r.mu.Unlock()
	err := r.body.Close()
	r.cancel(nil)
	return err
}

// splitS3 splits s3://bucket/prefix.
func splitS3(url string) (bucket, prefix string, err error) {
	bucket, prefix, _ = strings.Cut(strings.TrimPrefix(url, "s3://"), "/")
	if bucket == "" || strings.ContainsAny(bucket, " *?") {
		return "", "", &InputError{fmt.Errorf("%q: want s3://bucket/prefix", url)}
	}
	return bucket, prefix, nil
}
