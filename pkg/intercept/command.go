package intercept

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// Exit codes of the server: it runs until stopped (0) or cannot start or
// serve (2); 1, findings, does not apply.
const (
	exitOK    = 0
	exitUsage = 2
)

// Run is the forge-interceptor command: it serves Forge on --listen until
// ctx ends, over TLS when given a certificate (the ClusterInterceptor's
// caBundle must then hold its CA). ready, when not nil, receives the
// address once it listens.
func Run(ctx context.Context, args []string, stderr io.Writer, ready func(addr string)) int {
	fs := flag.NewFlagSet("forge-interceptor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", ":8443", "`ADDRESS` to listen on")
	dir := fs.String("secrets-dir", "/etc/plumbline/webhook", "`DIR` the webhook Secret is mounted at (a file per key)")
	cert := fs.String("tls-cert", "", "PEM certificate `FILE` (with --tls-key: serve HTTPS; read again on each handshake)")
	key := fs.String("tls-key", "", "PEM private key `FILE`")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 || (*cert == "") != (*key == "") {
		fmt.Fprintln(stderr, "forge-interceptor: usage: forge-interceptor [--listen ADDR] [--secrets-dir DIR] [--tls-cert FILE --tls-key FILE]")
		return exitUsage
	}
	logger := log.New(stderr, "forge-interceptor: ", log.LstdFlags|log.LUTC)
	srv := Server(*listen, Handler(&Forge{Secrets: Dir(*dir)}, logger.Printf))
	srv.ErrorLog = logger
	if *cert != "" {
		if _, err := tls.LoadX509KeyPair(*cert, *key); err != nil {
			fmt.Fprintf(stderr, "forge-interceptor: tls: %v\n", err)
			return exitUsage
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12,
			GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
				c, err := tls.LoadX509KeyPair(*cert, *key)
				return &c, err
			}}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "forge-interceptor: %v\n", err)
		return exitUsage
	}
	if srv.TLSConfig != nil {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	fmt.Fprintf(stderr, "forge-interceptor: serving on %s (tls %v), secrets from %s\n", ln.Addr(), srv.TLSConfig != nil, *dir)
	if ready != nil {
		ready(ln.Addr().String())
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "forge-interceptor: %v\n", err)
		return exitUsage
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "forge-interceptor: shutdown: %v\n", err)
	}
	return exitOK
}
