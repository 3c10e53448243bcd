package format

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
)

// CSVHeader names the CSV columns; durations are in seconds.
var CSVHeader = []string{
	"seq", "start", "url", "remote_addr", "proto", "tls_version", "reused", "status", "body_bytes",
	"namelookup_s", "connect_s", "appconnect_s", "starttransfer_s", "total_s",
	"dns_s", "tcp_s", "tls_s", "server_s", "transfer_s",
	"origin", "upstream_connect_s", "cf_pop", "cf_id", "x_cache",
	"failed_phase", "error_kind", "error",
}

func writeCSVHeader(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	cw.Flush()
	return cw.Error()
}

func writeCSVRow(w io.Writer, r probe.Result) error {
	t, ph := r.Timings, r.Timings.Phases()
	sec := func(d time.Duration) string { return strconv.FormatFloat(stats.Seconds(d).Float(), 'f', 6, 64) }
	status := ""
	if r.Status != 0 {
		status = strconv.Itoa(r.Status)
	}
	upstream := ""
	if r.Origin != cloudfront.OriginUnknown {
		upstream = sec(r.UpstreamConnect)
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{
		strconv.Itoa(r.Seq), r.Start.UTC().Format(time.RFC3339Nano), r.URL, r.RemoteAddr, r.Proto, r.TLSVersion,
		strconv.FormatBool(r.Reused), status, strconv.FormatInt(r.BodyBytes, 10),
		sec(t.NameLookup), sec(t.Connect), sec(t.AppConnect), sec(t.StartTransfer), sec(t.Total),
		sec(ph.DNS), sec(ph.TCP), sec(ph.TLS), sec(ph.Server), sec(ph.Transfer),
		r.Origin.String(), upstream, r.CloudFront.POP, r.CloudFront.ID, r.CloudFront.Cache,
		string(r.Phase), string(r.Kind), r.Error,
	})
	cw.Flush()
	return cw.Error()
}
