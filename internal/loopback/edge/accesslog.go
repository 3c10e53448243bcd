package edge

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// AccessLog writes the requests of one or more POPs as CloudFront
// standard logs (legacy): the 33-field W3C format, gzip, a file per POP per
// hour named <distribution ID>.YYYY-MM-DD-HH.<unique id>.gz, as CloudFront
// delivers them. A line's time is when the POP finished responding, as
// CloudFront's is; time-taken and time-to-first-byte count from when it
// received the request. Times and durations are in the log's clock: the lab
// maps its scaled time back to the experiment's, so a log of a time-scaled
// run reads like the real-time traffic it stands for (a request that held
// an origin connection 3 ms at time scale 40 held it 120 ms of experiment
// time). Safe for concurrent use; Close flushes every file.
type AccessLog struct {
	dir          string
	id           string // distribution ID, e.g. EDFDVBD6EXAMPLE
	distribution string // dXXXX.cloudfront.net, the cs(Host) of every line
	clock        func(time.Time) time.Time

	mu    sync.Mutex
	files map[logKey]*logFile
	done  []string
	err   error
	buf   []byte
}

type logKey struct {
	pop  string
	hour int64
}

type logFile struct {
	name string
	f    *os.File
	zw   *gzip.Writer
}

// NewAccessLog writes into dir (created if missing). id is the
// distribution ID of the file names, distribution the domain logged as
// cs(Host); clock maps a request's arrival to the log's time (nil: as is).
func NewAccessLog(dir, id, distribution string, clock func(time.Time) time.Time) (*AccessLog, error) {
	if id == "" || distribution == "" {
		return nil, errors.New("edge: access log: a distribution ID and domain are needed")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("edge: access log: %w", err)
	}
	if clock == nil {
		clock = func(t time.Time) time.Time { return t }
	}
	return &AccessLog{dir: dir, id: id, distribution: distribution, clock: clock, files: map[logKey]*logFile{}}, nil
}

// Files returns the files written so far (complete after Close).
func (l *AccessLog) Files() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.done...)
}

// Close flushes and closes every file and returns the first error met.
func (l *AccessLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, f := range l.files {
		l.closeFile(f)
		delete(l.files, k)
	}
	return l.err
}

func (l *AccessLog) closeFile(f *logFile) {
	if err := f.zw.Close(); err != nil && l.err == nil {
		l.err = err
	}
	if err := f.f.Close(); err != nil && l.err == nil {
		l.err = err
	}
}

// write appends one entry to its POP's file of the hour, opening it (and
// closing the POP's file of an earlier hour) as needed.
func (l *AccessLog) write(e accesslog.Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	hour := e.Time.Unix() / 3600
	key := logKey{e.POP, hour}
	f := l.files[key]
	if f == nil {
		for k, old := range l.files {
			if k.pop == e.POP && k.hour < hour {
				l.closeFile(old)
				delete(l.files, k)
			}
		}
		var id [4]byte
		rand.Read(id[:])
		name := filepath.Join(l.dir, fmt.Sprintf("%s.%s.%s.gz", l.id, e.Time.UTC().Format("2006-01-02-15"), hex.EncodeToString(id[:])))
		fh, err := os.Create(name)
		if err != nil {
			if l.err == nil {
				l.err = err
			}
			return
		}
		f = &logFile{name: name, f: fh, zw: gzip.NewWriter(fh)}
		f.zw.Write([]byte(accesslog.Header()))
		l.files[key] = f
		l.done = append(l.done, name)
	}
	l.buf = accesslog.AppendW3C(l.buf[:0], e)
	if _, err := f.zw.Write(l.buf); err != nil && l.err == nil {
		l.err = err
	}
}

// logWriter records what a request's response was: status, bytes and the
// moment of the first byte.
type logWriter struct {
	http.ResponseWriter
	status    int
	bytes     int64
	firstByte time.Time
}

func (w *logWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.firstByte = time.Now()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and the rest.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequest writes the log line of a request the host answered (or that
// ended without an answer: status 0, as CloudFront's 000).
func (h *host) logRequest(l *AccessLog, r *http.Request, st *request, w *logWriter) {
	end := time.Now()
	received, ended := l.clock(st.start), l.clock(end)
	e := accesslog.Entry{
		Time: ended, POP: h.pop.answerAs(), SCBytes: w.bytes, Method: r.Method, Host: l.distribution,
		URIStem: r.URL.Path, Status: w.status, Referer: r.Referer(), UserAgent: r.UserAgent(), Query: r.URL.RawQuery,
		RequestID: st.id, HostHeader: r.Host, Protocol: "https", CSBytes: max(r.ContentLength, 0),
		TimeTaken: ended.Sub(received), ProtocolVersion: r.Proto, TTFB: -1, ContentType: w.Header().Get("Content-Type"),
		ContentLen: -1, RangeStart: -1, RangeEnd: -1, ForwardedFor: r.Header.Get("X-Forwarded-For"),
	}
	if ip, port, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		e.ClientIP = ip
		e.ClientPort, _ = strconv.Atoi(port)
	}
	if r.TLS != nil {
		e.SSLProtocol = map[uint16]string{tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}[r.TLS.Version]
		e.SSLCipher = tls.CipherSuiteName(r.TLS.CipherSuite)
	}
	if !w.firstByte.IsZero() {
		e.TTFB = l.clock(w.firstByte).Sub(received)
	}
	if n := w.Header().Get("Content-Length"); n != "" {
		e.ContentLen, _ = strconv.ParseInt(n, 10, 64)
	}
	switch cache := w.Header().Get(cloudfront.HeaderCache); {
	case w.status == 0:
		e.ResultType = "ClientCommError"
	case cache == cloudfront.CacheError || w.status >= 500:
		e.ResultType = "Error"
	default:
		e.ResultType = "Miss"
	}
	e.ResponseResultType, e.DetailedResultType = e.ResultType, e.ResultType
	l.write(e)
}
