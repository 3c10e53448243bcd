// Package accesslog reads CloudFront access logs, streaming, and hands each
// request to a callback as a Record: its second, POP (x-edge-location),
// method, host, path, status, result type, request id and
// time-to-first-byte. It owns the log formats and where logs come from,
// nothing of what they are used for:
//
//   - standard logs (legacy and v2) in W3C form, gzip or plain, the field
//     order read from every #Fields line (24, 26 and 33-field files all
//     exist; no position is hard-coded);
//   - standard logging v2 in JSON lines and in Parquet;
//   - real-time logs and v2 "plain" logs: tab-separated without a header,
//     the field order given by the caller (Config.Fields);
//   - sources: files, directories (recursively), glob patterns, "-" for
//     standard input, and s3://bucket/prefix through the AWS SDK's standard
//     credential chain (Config.S3Endpoint for S3-compatible stores).
//
// Files are read in parallel, one per worker; a line that cannot be used
// (garbage, the wrong field count, a bad time) is counted per file with a
// few examples, a file cut short (truncated gzip, read error) keeps the
// lines read before the damage, and nothing in a file can make Read fail.
// Memory does not grow with the size of the logs: a worker holds one
// buffered line at a time.
package accesslog
