package accesslog

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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
}

type s3Lister struct {
	client *s3.Client
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
	return &s3Lister{client: client}, nil
}

// list returns every object under s3://bucket/prefix.
func (l *s3Lister) list(ctx context.Context, url string) ([]Source, error) {
	bucket, prefix, err := splitS3(url)
	if err != nil {
		return nil, err
	}
	var out []Source
	p := s3.NewListObjectsV2Paginator(l.client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
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
				open: func(ctx context.Context) (io.ReadCloser, error) {
					res, err := l.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
					if err != nil {
						return nil, err
					}
					return res.Body, nil
				},
			})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("s3: %s: no objects under this prefix", url)
	}
	return out, nil
}

// splitS3 splits s3://bucket/prefix.
func splitS3(url string) (bucket, prefix string, err error) {
	bucket, prefix, _ = strings.Cut(strings.TrimPrefix(url, "s3://"), "/")
	if bucket == "" || strings.ContainsAny(bucket, " *?") {
		return "", "", &InputError{fmt.Errorf("%q: want s3://bucket/prefix", url)}
	}
	return bucket, prefix, nil
}
