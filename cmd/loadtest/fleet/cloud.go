package fleet

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/secours/secours/bot/wacloud/wacloudtest"
	"github.com/secours/secours/internal/pause"
)

// ChannelCloud is Config.Channel for the WhatsApp Business Cloud API.
const ChannelCloud = "wacloud"

// cloudWebhookPath is where secours serves the Cloud API's webhook.
const cloudWebhookPath = "/whatsapp/webhook"

// Cloud is the fake Cloud API the instances speak to.
type Cloud struct {
	BaseURL, Token, PhoneID, AppSecret string
}

// CloudOf is the Cloud of a fake.
func CloudOf(s *wacloudtest.Server) Cloud {
	return Cloud{BaseURL: s.URL, Token: s.Token, PhoneID: s.PhoneNumberID, AppSecret: s.AppSecret}
}

// env is the instances' environment for the Cloud API, verify the
// webhook's verify token; no pacing: the fake has no throughput limit.
func (c Cloud) env(verify string) []string {
	return []string{"WHATSAPP_CLOUD_BASE_URL=" + c.BaseURL, "WHATSAPP_CLOUD_TOKEN=" + c.Token,
		"WHATSAPP_CLOUD_PHONE_ID=" + c.PhoneID, "WHATSAPP_CLOUD_APP_SECRET=" + c.AppSecret,
		"WHATSAPP_CLOUD_VERIFY_TOKEN=" + verify, "WHATSAPP_CLOUD_RATE=off"}
}

// Rotator is the load balancer in front of the instances: Meta posts to
// one callback URL, and each post goes to the next instance in turn. A
// post to an instance that does not answer gets a 502, which the people
// post again (wacloudtest.Redeliver), as Meta does.
type Rotator struct {
	URL string // the callback URL to give the fake (SetWebhook)

	srv       *httptest.Server
	next      atomic.Uint64
	failed    atomic.Int64 // posts no instance answered
	status5xx atomic.Int64 // 5xx answered by an instance
	statusBad atomic.Int64 // other non-2xx answered by an instance
}

// NewRotator starts a rotator over t on loopback. Close it when done.
func NewRotator(t Targets) *Rotator {
	r := &Rotator{}
	proxies := make([]*httputil.ReverseProxy, t.Len())
	for i := range proxies {
		proxies[i] = &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				u, _ := url.Parse(t.Target(i)) // the fleet's own loopback URLs
				pr.SetURL(u)
				pr.Out.URL.Path, pr.Out.URL.RawPath = u.Path, ""
			},
			ModifyResponse: func(resp *http.Response) error {
				switch {
				case resp.StatusCode >= 500:
					r.status5xx.Add(1)
				case resp.StatusCode >= 300:
					r.statusBad.Add(1)
				}
				return nil
			},
			ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) {
				r.failed.Add(1)
				w.WriteHeader(http.StatusBadGateway)
			},
		}
	}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		proxies[(r.next.Add(1)-1)%uint64(len(proxies))].ServeHTTP(w, req)
	}))
	r.URL = r.srv.URL + cloudWebhookPath
	return r
}

// Close stops the rotator.
func (r *Rotator) Close() { r.srv.Close() }

// DriveCloud runs o.Users people through whole conversations on the fake
// Cloud API api, whose webhook is the rotator r in front of the
// instances: each message goes to the next instance; one that got no 200
// is posted again by Meta (Redeliver) o.Retry later; with o.DupEvery, one
// message in that many is posted again after its 200, to another
// instance, as Meta retries one whose 200 it missed (not one retried
// already). The people's wa_ids
// are o.FirstChat and on (no +32 or +33: the country is asked, as on
// Telegram); api must record (wacloudtest.Options.NoRecord false).
//
// The checks, per person: the script ran to its end; every message was
// answered, and a message posted again got nothing (no step applied
// twice); the questions the person received are the ones they saw after
// each message, in order, none twice, except that a message in flight on
// an instance that died may be answered twice.
func DriveCloud(ctx context.Context, api *wacloudtest.Server, r *Rotator, o Options) Result {
	o = o.withDefaults()
	api.SetWebhook(r.URL)
	d := &cloudDriver{api: api, o: o}
	scs := Scripts()
	users := make([]*cloudUser, o.Users)
	start := time.Now()
	arrive(ctx, o.Ramp, len(users), func(i int) (*rand.Rand, func(context.Context) error, *error) {
		chat := o.FirstChat + int64(i)
		u := &cloudUser{d: d, idx: i, waID: strconv.FormatInt(chat, 10), sc: scs[i%len(scs)], rng: rand.New(rand.NewPCG(uint64(chat), 13))}
		users[i] = u
		return u.rng, u.run, &u.err
	})
	res := Result{Users: o.Users, Elapsed: time.Since(start), Posts: int(d.posts.Load()), Failed: int(r.failed.Load()),
		Status5xx: int(r.status5xx.Load()), StatusBad: int(r.statusBad.Load())}
	for _, u := range users {
		d.check(u, &res)
	}
	slices.Sort(res.Latencies)
	return res
}

// cloudDriver is one Cloud drive's shared state.
type cloudDriver struct {
	api      *wacloudtest.Server
	o        Options
	posts    atomic.Int64
	answered atomic.Int64
}

// cloudUser is one person on the Cloud API.
type cloudUser struct {
	d    *cloudDriver
	idx  int
	waID string
	sc   Script
	rng  *rand.Rand
	k    int // messages sent so far

	seen    []string // the question after each message, as the person saw it
	ids     []string // the wamid of each of those questions
	dups    int
	retried int
	nudges  int
	lats    []time.Duration // of the messages answered at the first post
	retMax  time.Duration
	err     error
}

// run plays the script: a greeting, the presses, the postcode, the
// referral's presses.
func (u *cloudUser) run(ctx context.Context) error {
	hello := "Bonjour"
	if strings.HasPrefix(u.sc.Lang, "nl") {
		hello = "Hallo"
	}
	if err := u.act(ctx, "greeting", func() (string, int) { return u.d.api.Text(u.waID, hello) }); err != nil {
		return err
	}
	for _, key := range u.sc.Answers {
		if err := u.press(ctx, key); err != nil {
			return err
		}
	}
	if err := u.act(ctx, "postcode", func() (string, int) { return u.d.api.Text(u.waID, u.sc.Postcode) }); err != nil {
		return err
	}
	if len(u.sc.Refer) == 0 {
		if m, ok := u.question(); !ok || !slices.ContainsFunc(slices.Concat(m.Buttons, m.Rows), func(c wacloudtest.Choice) bool { return c.ID == "done:restart" }) {
			return errors.New("no end screen after the fallback")
		}
		return nil
	}
	for _, key := range u.sc.Refer {
		if err := u.press(ctx, key); err != nil {
			return err
		}
	}
	return nil
}

// press answers with the choice key: among the buttons or rows of the
// newest question, except a place, which a numbered text may list.
func (u *cloudUser) press(ctx context.Context, key string) error {
	title := key
	if m, ok := u.question(); ok {
		i := slices.IndexFunc(slices.Concat(m.Buttons, m.Rows), func(c wacloudtest.Choice) bool { return c.ID == key })
		switch {
		case i >= 0:
			title = slices.Concat(m.Buttons, m.Rows)[i].Title
		case !strings.HasPrefix(key, "pick:"):
			return fmt.Errorf("%s: not among the choices of %q", key, questionKey(m))
		}
	}
	return u.act(ctx, key, func() (string, int) { return u.d.api.Press(u.waID, key, title) })
}

// question is the newest message with choices.
func (u *cloudUser) question() (wacloudtest.Message, bool) {
	sent := u.d.api.Sent(u.waID)
	for i := len(sent) - 1; i >= 0; i-- {
		if len(sent[i].Buttons)+len(sent[i].Rows) > 0 {
			return sent[i], true
		}
	}
	return wacloudtest.Message{}, false
}

// act thinks, sends one message until an instance answers it 200, and
// checks that an answer came; a message posted again after its 200 must
// get none.
func (u *cloudUser) act(ctx context.Context, what string, send func() (string, int)) error {
	if err := pause.For(ctx, time.Duration(u.rng.Int64N(2*int64(u.d.o.Think)+1))); err != nil {
		return err
	}
	before := len(u.d.api.Sent(u.waID))
	retried, err := u.deliver(ctx, send)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if len(u.d.api.Sent(u.waID)) <= before && retried {
		// Saved by the instance that died before it answered: its retry
		// is a repeat, dropped. The person sends the same again.
		u.nudges++
		if _, err := u.deliver(ctx, send); err != nil {
			return fmt.Errorf("%s, again: %w", what, err)
		}
	}
	sent := u.d.api.Sent(u.waID)
	if len(sent) <= before {
		return fmt.Errorf("%s: no answer", what)
	}
	last := sent[len(sent)-1]
	u.seen, u.ids = append(u.seen, questionKey(last)), append(u.ids, last.ID)
	return nil
}

// deliver posts one new message, and posts it again while no instance
// answers 200; one in o.DupEvery is posted again after its 200.
func (u *cloudUser) deliver(ctx context.Context, send func() (string, int)) (retried bool, err error) {
	k := u.k
	u.k++
	start := time.Now()
	u.d.posts.Add(1)
	wamid, code := send()
	for code != http.StatusOK {
		retried = true
		if time.Since(start)+u.d.o.Retry > u.d.o.GiveUp {
			return retried, errStuck
		}
		if err := pause.For(ctx, u.d.o.Retry); err != nil {
			return retried, err
		}
		u.d.posts.Add(1)
		code, _ = u.d.api.Redeliver(wamid)
	}
	lat := time.Since(start) // the webhook answers once the replies are sent
	if retried {
		u.retried++
		u.retMax = max(u.retMax, lat)
	} else {
		u.lats = append(u.lats, lat)
	}
	if f := u.d.o.OnStep; f != nil {
		f(int(u.d.answered.Add(1)))
	}
	// Right after its 200: the engine drops the copy silently. A copy
	// of a message retried after a kill comes 5 s or more after its step
	// was saved, and the engine answers it again with the open question
	// (flows: "redelivered"), saving nothing; the retry tested that.
	if e := u.d.o.DupEvery; e > 0 && !retried && (u.idx+k)%e == e-1 {
		u.dups++
		n := len(u.d.api.Sent(u.waID))
		u.d.posts.Add(1)
		if c, _ := u.d.api.Redeliver(wamid); c != http.StatusOK && c != http.StatusBadGateway {
			return retried, fmt.Errorf("posted again: status %d", c)
		}
		if m := len(u.d.api.Sent(u.waID)); m != n {
			return retried, fmt.Errorf("posted again, answered again: %d more messages (a step applied twice)", m-n)
		}
	}
	return retried, nil
}

// check verifies u's conversation against what the fake received.
func (d *cloudDriver) check(u *cloudUser, r *Result) {
	r.Steps += len(u.seen)
	r.Dups += u.dups
	r.Retried += u.retried
	r.Nudges += u.nudges
	r.Latencies = append(r.Latencies, u.lats...)
	r.RetriedMax = max(r.RetriedMax, u.retMax)
	err := u.err
	if errors.Is(err, errStuck) {
		r.Stuck++
	}
	if err == nil {
		var repeats int
		repeats, err = u.verify(d.api.Sent(u.waID))
		r.Repeats += repeats
	}
	if err != nil {
		if len(r.Errs) < 5 {
			r.Errs = append(r.Errs, fmt.Errorf("person %d (%s %s, %d messages retried): %w; questions seen %v",
				u.idx, u.sc.Profile, u.sc.Lang, u.retried, err, u.seen))
		}
		return
	}
	r.Completed++
}

// verify: the questions received (the messages with choices), a
// repeat aside, are those seen after each message, in order, one per
// step, none twice; a repeat only where a message was retried.
func (u *cloudUser) verify(sent []wacloudtest.Message) (repeats int, err error) {
	var got, want []string
	for _, m := range sent {
		if len(m.Buttons)+len(m.Rows) == 0 {
			continue
		}
		if q := questionKey(m); len(got) > 0 && got[len(got)-1] == q {
			repeats++
		} else {
			got = append(got, q)
		}
	}
	for _, q := range u.seen {
		if q != "text" { // a numbered list: no choices to compare
			want = append(want, q)
		}
	}
	switch {
	case repeats > u.retried:
		return repeats, fmt.Errorf("%d questions sent twice, %d messages retried: a step applied twice", repeats, u.retried)
	case !slices.Equal(got, want):
		return repeats, fmt.Errorf("questions received %v, seen %v", got, want)
	case len(u.seen) != u.sc.Steps():
		return repeats, fmt.Errorf("%d questions for %d steps", len(u.seen), u.sc.Steps())
	}
	for i, q := range want {
		if slices.Contains(want[:i], q) {
			return repeats, fmt.Errorf("question %s asked twice: %v", q, want)
		}
	}
	return repeats, nil
}

// questionKey names the question a message asks: the question part of
// its first choice ("need" of "need:banking"), "text" for a message
// without choices (a numbered list).
func questionKey(m wacloudtest.Message) string {
	cs := slices.Concat(m.Buttons, m.Rows)
	if len(cs) == 0 {
		return "text"
	}
	q, _, _ := strings.Cut(cs[0].ID, ":")
	return q
}
