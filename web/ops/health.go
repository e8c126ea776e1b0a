package ops

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/secours/secours/internal/cli"
)

// HealthTimeout bounds one probe. The Dockerfile's HEALTHCHECK --timeout
// must stay above it: when Docker kills the probe itself, the health log
// says only "timed out", not what did not answer.
const HealthTimeout = 3 * time.Second

const healthUsage = `Usage:
  secours healthcheck [-url http://127.0.0.1:8080/healthz]

Asks a running bot whether it is up: exit 0 when the URL answers 200 OK,
1 otherwise, with one line saying why. The container image runs it as its
HEALTHCHECK, since it has no shell and no curl. The default URL is /healthz
on the port of HTTP_ADDR (8080), on 127.0.0.1; use /readyz to also ask
whether the store and every channel are ready.

Flags:
`

// Healthcheck is "secours healthcheck": args are the command's, getenv
// gives HTTP_ADDR; it returns the exit status.
func Healthcheck(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return healthcheck(args, stdout, stderr, getenv, HealthTimeout)
}

// healthcheck is Healthcheck with its timeout as a parameter, so that a
// test of a silent server takes milliseconds. It never returns 2: Docker
// reserves that exit status of a health check ("do not use").
func healthcheck(args []string, stdout, stderr io.Writer, getenv func(string) string, timeout time.Duration) int {
	fs := cli.Flags("secours healthcheck", healthUsage, stderr)
	// A bad HTTP_ADDR matters only when -url is not given.
	def, defErr := healthURL(getenv("HTTP_ADDR"))
	target := fs.String("url", def, "URL to ask; 200 OK means healthy [default from HTTP_ADDR]")
	if code, ok := cli.Parse(fs, args, 1); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "secours healthcheck: unexpected %q\n", fs.Arg(0))
		return 1
	}
	if *target == "" {
		fmt.Fprintln(stderr, "secours healthcheck:", defErr)
		return 1
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintln(stderr, "secours healthcheck: -url: not an http(s) URL")
		return 1
	}
	status, err := probe(context.Background(), u, timeout)
	if err != nil {
		fmt.Fprintln(stderr, "secours healthcheck:", err)
		return 1
	}
	fmt.Fprintln(stdout, "secours healthcheck:", status)
	return 0
}

// healthURL is /healthz on the port of HTTP_ADDR. A wildcard or empty host
// (":8080", "0.0.0.0:8080", "[::]:8080") is asked on 127.0.0.1; a named
// host is asked as is, since the server listens there only.
func healthURL(httpAddr string) (string, error) {
	if httpAddr == "" {
		httpAddr = ":8080" // the bot's default
	}
	host, port, err := net.SplitHostPort(httpAddr)
	if err != nil || port == "" || port == "0" {
		return "", fmt.Errorf("HTTP_ADDR %q has no fixed port: give -url", httpAddr)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port), Path: "/healthz"}).String(), nil
}

// probe GETs u once. It returns the status line on 200 OK, and otherwise
// an error with the status and the first line of the body (/readyz names
// what is not ready there; these endpoints hold no personal data).
func probe(ctx context.Context, u *url.URL, timeout time.Duration) (string, error) {
	client := &http.Client{
		Timeout: timeout,
		// No proxy: HTTP_PROXY set for the bot's own outgoing calls must
		// not send the probe elsewhere. No keep-alive: one request per
		// process.
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		// A redirect is not "up": report it rather than follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			return "", fmt.Errorf("%s: no answer within %s", u.Redacted(), timeout)
		}
		return "", err // *url.Error: the client already strips a password from the URL
	}
	defer resp.Body.Close()
	line, _ := bufio.NewReader(io.LimitReader(resp.Body, 200)).ReadString('\n')
	// Any server may answer: keep the line printable for the health log.
	line = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, line))
	if resp.StatusCode != http.StatusOK {
		if line != "" {
			return "", fmt.Errorf("%s: %s: %s", u.Redacted(), resp.Status, line)
		}
		return "", fmt.Errorf("%s: %s", u.Redacted(), resp.Status)
	}
	return resp.Status, nil
}
