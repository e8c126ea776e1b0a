package wacloud

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/bot/wacloud/wacloudtest"
	"github.com/secours/secours/flows"
)

func failure(code int) wacloudtest.Failure { return wacloudtest.Failure{Code: code} }

// TestClassify: each Graph error code is retried or final.
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		status, code int
		retry        bool
	}{
		{429, codeThroughput, true},
		{429, codePairRate, true},
		{500, codeService, true},
		{503, codeUnavailable, true},
		{502, 0, true},
		{429, 0, true},
		{400, codeUndeliverable, false},
		{400, codeReengage, false},
		{400, codeUnsupported, false},
		{400, codeParam, false},
		{400, codeRecipient, false},
		{401, codeToken, false},
		{400, codeSelf, false},
		{400, codeRestricted, false},
		{400, codeBlocked, false},
		{500, codeUndeliverable, false}, // the code wins over the status
		{400, 0, false},
	} {
		e := &APIError{Status: c.status, Code: c.code}
		if got := e.Retryable(); got != c.retry {
			t.Errorf("http %d code %d: retryable %v, want %v", c.status, c.code, got, c.retry)
		}
		if got := retryable(t.Context(), e); got != c.retry {
			t.Errorf("retryable(http %d code %d) = %v", c.status, c.code, got)
		}
	}
	if !retryable(t.Context(), &net.OpError{Op: "dial", Err: errors.New("connection refused")}) {
		t.Error("a network error is final")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if retryable(ctx, context.Canceled) {
		t.Error("the caller's end is retried")
	}
}

// TestBackoff: waits grow and stay bounded, with jitter; the pair rate
// waits longer.
func TestBackoff(t *testing.T) {
	for n := range maxAttempts + 3 {
		d := backoff(&APIError{Code: codeThroughput}, n)
		top := min(backoffBase<<n, backoffMax)
		if d < top/2 || d > top {
			t.Errorf("attempt %d: %v, want within [%v, %v]", n, d, top/2, top)
		}
	}
	if d := backoff(&APIError{Code: codePairRate}, 0); d < pairRateWait/2 {
		t.Errorf("pair rate: %v, want at least %v", d, pairRateWait/2)
	}
}

// TestRetry: a throughput refusal is retried after a wait, and the
// message is recorded once; a final refusal is not retried; the attempts
// are bounded.
func TestRetry(t *testing.T) {
	h := newHarness(t, &channeltest.Recorder{}, nil)
	h.fake.Text(beID, "bonjour")
	n := len(h.fake.Sent(beID))
	h.fake.Fail(wacloudtest.Failure{Code: codeThroughput, Times: 2})
	if err := h.a.Send(t.Context(), beChat, []flows.Reply{{Text: "Un message."}}); err != nil {
		t.Fatal(err)
	}
	if got := len(h.fake.Sent(beID)) - n; got != 1 {
		t.Errorf("%d messages recorded, want exactly one", got)
	}
	if waits := h.slept(); len(waits) != 2 {
		t.Errorf("waited %v, want two backoffs", waits)
	}

	calls := len(h.fake.Calls())
	h.fake.Fail(failure(codeParam))
	if err := h.a.Send(t.Context(), beChat, []flows.Reply{{Text: "Un autre."}}); !isCode(err, codeParam) {
		t.Errorf("Send = %v, want the final refusal", err)
	}
	if got := len(h.fake.Calls()) - calls; got != 1 {
		t.Errorf("a final refusal: %d calls, want 1", got)
	}

	calls = len(h.fake.Calls())
	h.fake.Fail(wacloudtest.Failure{Code: codeService, Times: maxAttempts + 1})
	if err := h.a.Send(t.Context(), beChat, []flows.Reply{{Text: "Encore."}}); !isCode(err, codeService) {
		t.Errorf("Send = %v, want the last refusal", err)
	}
	if got := len(h.fake.Calls()) - calls; got != maxAttempts {
		t.Errorf("%d calls, want %d", got, maxAttempts)
	}
}

// TestRetryNetwork: a Graph API that cannot be reached is retried, then
// the send gives up with a wrapped error.
func TestRetryNetwork(t *testing.T) {
	h := newHarness(t, &channeltest.Recorder{}, func(o *Options) {
		o.HTTPClient = &http.Client{Transport: failing{}, Timeout: time.Second}
	})
	err := h.a.Send(t.Context(), beChat, []flows.Reply{{Text: "x"}})
	if err == nil || !errors.Is(err, errDown) {
		t.Errorf("Send = %v, want the network error wrapped", err)
	}
	if got := len(h.slept()); got != maxAttempts-1 {
		t.Errorf("%d backoffs, want %d", got, maxAttempts-1)
	}
}

var errDown = errors.New("network down")

type failing struct{}

func (failing) RoundTrip(*http.Request) (*http.Response, error) { return nil, errDown }

// TestUnsupportedFallback: an interactive message the recipient cannot
// get goes again as its numbered text.
func TestUnsupportedFallback(t *testing.T) {
	h := newHarness(t, &channeltest.Recorder{}, nil)
	h.fake.Text(beID, "bonjour")
	h.fake.Fail(failure(codeUnsupported))
	if err := h.a.Send(t.Context(), beChat, answerPush); err != nil {
		t.Fatal(err)
	}
	m, _ := h.fake.Last(beID)
	if m.Type != "text" || m.Text != "Le CPAS d'Ixelles vous propose un rendez-vous\nmardi à 10 h.\n\n1. Oui\n2. Un autre jour\n↩ Retour\n\nRépondez 1 ou 2" {
		t.Errorf("fallback %s %q", m.Type, m.Text)
	}
}

// TestRate: the rate spaces the sends of all chats: with 2 a second and
// bursts of 2, the third and later sends wait.
func TestRate(t *testing.T) {
	h := newHarness(t, &channeltest.Recorder{}, func(o *Options) { o.Settings.Rate = "2" })
	h.fake.Text(beID, "bonjour")
	h.fake.Text(frID, "bonjour")
	h.mu.Lock()
	h.waits = nil
	h.mu.Unlock()
	for i := range 6 {
		chat := beChat
		if i%2 == 1 {
			chat = "wc:" + frID
		}
		if err := h.a.Send(t.Context(), chat, []flows.Reply{{Text: "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	// The clock does not move: the burst sends two at once, and each of
	// the four others waits its turn, behind the one before.
	waits := h.slept()
	if len(waits) != 4 {
		t.Fatalf("waits %v, want 4", waits)
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] <= waits[i-1] {
			t.Errorf("waits %v do not queue up", waits)
		}
	}
	if waits[0] != 500*time.Millisecond {
		t.Errorf("first wait %v, want 500ms", waits[0])
	}
}

// TestTokenRefused: a refused token is final and logged loudly, without
// the token.
func TestTokenRefused(t *testing.T) {
	h := newHarness(t, &channeltest.Recorder{}, func(o *Options) { o.Settings.Token = "EAAwrong-token" })
	err := h.a.Send(t.Context(), beChat, []flows.Reply{{Text: "x"}})
	if !isCode(err, codeToken) {
		t.Fatalf("Send = %v, want code 190", err)
	}
	log := h.logs.String()
	if !strings.Contains(log, `"level":"ERROR","msg":"whatsapp cloud api: the access token is refused; renew it"`) || strings.Contains(log, "EAAwrong-token") {
		t.Errorf("log:\n%s", log)
	}
	if len(h.fake.Calls()) != 1 {
		t.Errorf("%d calls, want 1: a refused token is not retried", len(h.fake.Calls()))
	}
}
