package link

import (
	"io"
	"testing"
	"time"
)

// BenchmarkRoundTrip measures one 1-byte round trip over a link with a 1 ms
// RTT: the time above 1 ms is what the queues and timers cost.
func BenchmarkRoundTrip(b *testing.B) {
	l := Link{RTT: time.Millisecond}
	client, server := pair(b, l)
	go io.Copy(server, server)
	buf := []byte{'x'}
	b.ResetTimer()
	for b.Loop() {
		if _, err := client.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(client, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed()-time.Duration(b.N)*l.RTT)/float64(b.N)/1e3, "µs-overhead/op")
}

// BenchmarkThroughput streams 1 MiB per op one way through a link with a
// 1 ms RTT, latency on the sending side.
func BenchmarkThroughput(b *testing.B) {
	client, server := pair(b, Link{RTT: time.Millisecond})
	chunk := make([]byte, 1<<20)
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		_, err := io.CopyBuffer(io.Discard, server, buf)
		done <- err
	}()
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := client.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	client.Close()
	<-done
}
