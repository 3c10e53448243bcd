// Package format writes prewarm results (warm.Result) for people and
// machines: a table, one JSON document per run, CloudWatch Embedded
// Metric Format lines and the bounded per-POP summary (the Lambda's
// response), the shape of probe/format: a Name per format, one
// parser for --format (ParseName) and a reporter per format (New). It only
// formats; it never measures. The EMF metric and dimension names are the
// contract with the alarms and dashboard in infra/.
package format
