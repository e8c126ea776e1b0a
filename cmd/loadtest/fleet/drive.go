package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/internal/pause"
)

// Targets are the webhook endpoints the people post to: a Fleet.
type Targets interface {
	Len() int
	Target(i int) string // the webhook URL of instance i
	Secret() string      // X-Telegram-Bot-Api-Secret-Token
}

// Options shape one drive. Zero durations take the defaults below.
type Options struct {
	Users     int
	FirstChat int64         // chat id of the first person; the others follow
	Think     time.Duration // mean pause before each answer, uniform in 0..2×
	Ramp      time.Duration // arrivals spread over this long
	// Retry is Telegram's wait before it posts again an update whose
	// request failed: no answer, or not a 2xx. Default 1 s.
	Retry time.Duration
	// GiveUp: a step still unanswered this long after its first post is
	// stuck. Default 30 s.
	GiveUp time.Duration
	// PostTimeout bounds one webhook request. Default 10 s.
	PostTimeout time.Duration
	// MaxConnections bounds the webhook requests open at once to each
	// instance, as Telegram's setWebhook max_connections (default 40)
	// bounds them for a bot: the updates past it wait their turn at the
	// sender. 0: none, every person posts at once.
	MaxConnections int
	// DupEvery: one update in DupEvery is also posted at once to the next
	// instance, as Telegram may deliver an update twice; 0: none.
	DupEvery int
	// OnStep, if set, is called after each answered update with the
	// number answered so far, from the people's goroutines; it must not
	// block.
	OnStep func(answered int)
}

// withDefaults gives the zero durations of o their defaults.
func (o Options) withDefaults() Options {
	if o.Retry <= 0 {
		o.Retry = time.Second
	}
	if o.GiveUp <= 0 {
		o.GiveUp = 30 * time.Second
	}
	if o.PostTimeout <= 0 {
		o.PostTimeout = 10 * time.Second
	}
	return o
}

// arrive runs n people, each in its own goroutine, and returns once all
// are done. person(i) makes person i and gives its random source, its
// conversation and where its outcome goes; the conversation starts after
// a random pause of up to ramp, as people arrive one after the other, not
// all in the same second.
func arrive(ctx context.Context, ramp time.Duration, n int, person func(i int) (rng *rand.Rand, run func(context.Context) error, outcome *error)) {
	var wg sync.WaitGroup
	for i := range n {
		rng, run, outcome := person(i)
		wg.Go(func() {
			if err := pause.For(ctx, time.Duration(rng.Int64N(int64(ramp)+1))); err != nil {
				*outcome = err
				return
			}
			*outcome = run(ctx)
		})
	}
	wg.Wait()
}

// Result is what a drive saw and what its checks found.
type Result struct {
	Users     int
	Completed int // people who reached the end of their script and passed every check
	Stuck     int // people with a step left unanswered
	Steps     int // updates the people sent, each counted once
	Posts     int // webhook requests, duplicates and retries included
	Dups      int // updates posted to two instances at once
	Retried   int // updates posted again after a failed request
	// Nudges counts answers sent again because a retried update got no
	// new question: its step had been saved before the instance died, so
	// the retry was a duplicate, which the engine drops silently, and the
	// rest of its reply is lost.
	Nudges int
	// PlacesLost counts people whose place list was lost that way.
	PlacesLost int
	// Repeats counts questions sent twice in a row because an update in
	// flight was answered by two instances: allowed for retried updates
	// only.
	Repeats int
	// LateCopies counts duplicated updates whose two requests ended
	// lateCopy or more apart: the later copy may be answered again.
	LateCopies int
	Failed     int // requests that got no HTTP answer (refused, reset, timed out)
	Status5xx  int
	StatusBad  int // other non-2xx answers (401, 400…)
	Elapsed    time.Duration
	// Latencies, from the first POST of an update to the last message of
	// its reply as the fake Bot API received it, over the updates answered
	// at the first post, sorted.
	Latencies []time.Duration
	// RetriedMax is the longest of the same for the retried updates,
	// Telegram's wait included.
	RetriedMax time.Duration
	Errs       []error // the first few failures, one per person
}

// Quantile is the q-quantile of the latencies, 0 if there are none.
func (r Result) Quantile(q float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[min(len(r.Latencies)-1, int(q*float64(len(r.Latencies))))]
}

// OK reports whether everyone completed and nothing went wrong on the
// way: no 5xx and no unexpected status.
func (r Result) OK() bool {
	return r.Completed == r.Users && r.Stuck == 0 && r.Status5xx == 0 && r.StatusBad == 0
}

var errStuck = errors.New("no answer in time")

// driver is one drive's shared state.
type driver struct {
	api    *telegramtest.Server
	t      Targets
	o      Options
	client *http.Client
	nextID atomic.Int64 // update ids

	answered  atomic.Int64
	posts     atomic.Int64
	failed    atomic.Int64
	status5xx atomic.Int64
	statusBad atomic.Int64
}

// Drive runs o.Users people through whole conversations, posting their
// updates round robin: person u's k-th update goes to instance
// (u+k) mod n, a retry of it to the next one. The api fake must record
// calls (telegramtest.Options.NoRecord false): the checks read, per chat,
// what the instances sent.
//
// The checks, per person: the script ran to its end (the place list then
// the referral, or the fallback); every update was answered by exactly
// one new question, in order, and the fake received exactly those
// questions (none twice: no step was applied twice), except that an
// update in flight on an instance that died may be answered twice.
func Drive(ctx context.Context, api *telegramtest.Server, t Targets, o Options) Result {
	o = o.withDefaults()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256 // people post at once; the default keeps 2
	tr.MaxConnsPerHost = o.MaxConnections
	defer tr.CloseIdleConnections()
	d := &driver{api: api, t: t, o: o, client: &http.Client{Transport: tr, Timeout: o.PostTimeout}}

	scs := Scripts()
	users := make([]*user, o.Users)
	start := time.Now()
	arrive(ctx, o.Ramp, len(users), func(i int) (*rand.Rand, func(context.Context) error, *error) {
		chat := o.FirstChat + int64(i)
		u := &user{d: d, idx: i, chat: chat, sc: scs[i%len(scs)], rng: rand.New(rand.NewPCG(uint64(chat), 11))}
		users[i] = u
		return u.rng, u.run, &u.err
	})
	r := Result{Users: o.Users, Elapsed: time.Since(start), Posts: int(d.posts.Load()), Failed: int(d.failed.Load()),
		Status5xx: int(d.status5xx.Load()), StatusBad: int(d.statusBad.Load())}
	d.check(users, &r)
	return r
}

// user is one person: it answers by pressing the buttons the bot shows,
// as a person would, and waits for each answer.
type user struct {
	d    *driver
	idx  int
	chat int64
	sc   Script
	rng  *rand.Rand
	k    int // updates sent so far: the round-robin position

	seen       []string // the question of each answer, as the person saw it
	steps      []step
	dups       int
	lateCopies int // copies of a duplicated update answered lateCopy or more after the other
	retried    int
	nudges     int
	placesLost bool // the place list went down with a killed instance
	err        error
}

// step is the timing of one update, from its first post to the end of
// the last request for it.
type step struct {
	start, end time.Time
	retried    bool
}

// run plays the script.
func (u *user) run(ctx context.Context) error {
	if _, err := u.act(ctx, "/start", u.text("/start")); err != nil {
		return err
	}
	for _, key := range u.sc.Answers {
		if err := u.press(ctx, key); err != nil {
			return err
		}
	}
	lost, err := u.act(ctx, "postcode", u.text(u.sc.Postcode))
	if err != nil {
		return err
	}
	switch {
	case lost:
		// The reply went down with the instance, the place list or the
		// fallback with it; the question after it came again, and the
		// pick question's buttons name the places.
		u.placesLost = len(u.sc.Refer) > 0
	case len(u.sc.Refer) == 0:
		if u.d.api.Venues(u.chat) != 0 && !u.sc.HandOver {
			return errors.New("a place list where none should fit")
		}
		m, ok := u.d.api.Keyboard(u.chat)
		if _, end := telegramtest.Button(m, "done:restart"); !ok || !end {
			return errors.New("no end screen after the fallback")
		}
		return nil
	case u.d.api.Venues(u.chat) == 0:
		return errors.New("no place list after the postcode")
	}
	for _, key := range u.sc.Refer {
		if err := u.press(ctx, key); err != nil {
			return err
		}
	}
	return nil
}

// text makes updates carrying a typed message.
func (u *user) text(s string) func(id int64) models.Update {
	return func(id int64) models.Update {
		m := u.d.api.Message(u.chat, u.sc.Lang)
		m.Text = s
		return models.Update{ID: id, Message: m}
	}
}

// press presses the button key of the newest question.
func (u *user) press(ctx context.Context, key string) error {
	m, ok := u.d.api.Keyboard(u.chat)
	if !ok {
		return fmt.Errorf("%s: no question shown", key)
	}
	if _, ok := telegramtest.Button(m, key); !ok {
		return fmt.Errorf("%s: not among the buttons of %q", key, questionOf(m.ReplyMarkup.InlineKeyboard))
	}
	shown := *m
	_, err := u.act(ctx, key, func(id int64) models.Update {
		return models.Update{ID: id, CallbackQuery: &models.CallbackQuery{
			ID: fmt.Sprintf("cb%d", id), From: models.User{ID: u.chat, FirstName: "Test", LanguageCode: u.sc.Lang},
			ChatInstance: fmt.Sprintf("ci%d", u.chat), Data: key,
			Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &shown},
		}}
	})
	return err
}

// act thinks, sends one update and checks that a new question came. lost
// reports that the update's reply was lost and the person sent the same
// again.
func (u *user) act(ctx context.Context, what string, update func(id int64) models.Update) (lost bool, err error) {
	if err := pause.For(ctx, time.Duration(u.rng.Int64N(2*int64(u.d.o.Think)+1))); err != nil {
		return false, err
	}
	before := u.newest()
	retried, err := u.deliver(ctx, update(u.d.nextID.Add(1)))
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	if u.newest() <= before && retried {
		// The instance saved the step, then died before it answered:
		// the retry was a duplicate, which the engine drops silently. A
		// person who got no new question taps or types the same again,
		// and the engine asks its open question again.
		lost = true
		u.nudges++
		if _, err := u.deliver(ctx, update(u.d.nextID.Add(1))); err != nil {
			return lost, fmt.Errorf("%s, again: %w", what, err)
		}
	}
	m, ok := u.d.api.Keyboard(u.chat)
	if !ok || m.ID <= before {
		return lost, fmt.Errorf("%s: answered without a new question", what)
	}
	u.seen = append(u.seen, questionOf(m.ReplyMarkup.InlineKeyboard))
	return lost, nil
}

// newest is the message id of the newest question, 0 if none. The fake
// shows the newest message that still has buttons, which may be an older
// question once an edit took a newer one's buttons away: only a greater
// id is a new question.
func (u *user) newest() int {
	if m, ok := u.d.api.Keyboard(u.chat); ok {
		return m.ID
	}
	return 0
}

// deliver posts an update as Telegram does: to the person's next
// instance, and again to the one after it, Retry later, while the request
// fails. Some updates also go to a second instance at once.
func (u *user) deliver(ctx context.Context, upd models.Update) (retried bool, err error) {
	body, err := json.Marshal(&upd)
	if err != nil {
		return false, err
	}
	n := u.d.t.Len()
	k := u.k
	u.k++
	dup := u.d.o.DupEvery > 0 && (u.idx+k)%u.d.o.DupEvery == u.d.o.DupEvery-1
	if dup {
		u.dups++
	}
	s := step{start: time.Now()}
	for attempt := 0; ; attempt++ {
		i := (u.idx + k + attempt) % n
		var ok bool
		if dup && attempt == 0 {
			var ok2 bool
			var end2 time.Time
			var wg sync.WaitGroup
			wg.Go(func() { ok2 = u.d.post(ctx, (i+1)%n, body); end2 = time.Now() })
			ok = u.d.post(ctx, i, body)
			end1 := time.Now()
			wg.Wait()
			ok = ok && ok2
			if d := end2.Sub(end1); d >= lateCopy || -d >= lateCopy {
				u.lateCopies++
			}
		} else {
			ok = u.d.post(ctx, i, body)
		}
		if ok {
			break
		}
		if attempt == 0 {
			retried = true
			u.retried++
		}
		if ctx.Err() != nil {
			return retried, ctx.Err()
		}
		if time.Since(s.start)+u.d.o.Retry > u.d.o.GiveUp {
			return retried, errStuck
		}
		if err := pause.For(ctx, u.d.o.Retry); err != nil {
			return retried, err
		}
	}
	s.end, s.retried = time.Now(), retried
	u.steps = append(u.steps, s)
	if f := u.d.o.OnStep; f != nil {
		f(int(u.d.answered.Add(1)))
	}
	return retried, nil
}

// post makes one webhook request and reports a 2xx.
func (d *driver) post(ctx context.Context, i int, body []byte) bool {
	d.posts.Add(1)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.t.Target(i), bytes.NewReader(body))
	if err != nil {
		d.failed.Add(1)
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", d.t.Secret())
	resp, err := d.client.Do(req)
	if err != nil {
		d.failed.Add(1)
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 500:
		d.status5xx.Add(1)
	case resp.StatusCode >= 300:
		d.statusBad.Add(1)
	}
	return resp.StatusCode/100 == 2
}

// check reads what the fake received, per chat, and checks each person's
// conversation against it; it also times each update's reply.
func (d *driver) check(users []*user, r *Result) {
	sent := map[int64][]telegramtest.Call{} // per chat: the messages and edits received
	for _, c := range d.api.Calls() {
		switch c.Method {
		case "sendMessage", "sendVenue", "editMessageText", "editMessageReplyMarkup":
			if c.Status == http.StatusOK {
				sent[c.ChatID()] = append(sent[c.ChatID()], c)
			}
		}
	}
	for _, u := range users {
		r.Steps += len(u.steps)
		r.Dups += u.dups
		r.LateCopies += u.lateCopies
		r.Retried += u.retried
		r.Nudges += u.nudges
		if u.placesLost {
			r.PlacesLost++
		}
		calls := sent[u.chat]
		slices.SortStableFunc(calls, func(a, b telegramtest.Call) int { return a.At.Compare(b.At) })
		d.time(u, calls, r)
		err := u.err
		if errors.Is(err, errStuck) {
			r.Stuck++
		}
		if err == nil {
			var repeats int
			repeats, err = u.verify(calls)
			r.Repeats += repeats
		}
		if err != nil {
			if len(r.Errs) < 5 {
				r.Errs = append(r.Errs, fmt.Errorf("person %d (%s %s, chat %d, %d updates retried): %w; questions seen %v, received %v",
					u.idx, u.sc.Profile, u.sc.Lang, u.chat, u.retried, err, u.seen, questions(calls)))
			}
			continue
		}
		r.Completed++
	}
	slices.Sort(r.Latencies)
}

// time adds, for each update of u, the time from its first post to the
// last message of its reply that the fake received before the update's
// request ended.
func (d *driver) time(u *user, calls []telegramtest.Call, r *Result) {
	j := 0
	for _, s := range u.steps {
		var last time.Time
		for ; j < len(calls) && !calls[j].At.After(s.end); j++ {
			if !calls[j].At.Before(s.start) {
				last = calls[j].At
			}
		}
		if last.IsZero() {
			continue // no reply: a duplicate, nudged
		}
		lat := last.Sub(s.start)
		if s.retried {
			r.RetriedMax = max(r.RetriedMax, lat)
			continue
		}
		r.Latencies = append(r.Latencies, lat)
	}
}

// lateCopy is how far apart the two requests of a duplicated update must
// end for the later copy to count as redelivered. The engine answers a
// copy that arrives 5 s or more after the step was saved again, with
// its open question and nothing saved (flows' redeliveredAfter: that is
// how a reply lost with a dead process is given again); on a machine
// short of CPU the second copy can wait that long before its handler
// reads it. The margin covers the replies' own sending after the save.
const lateCopy = 3 * time.Second

// verify compares the questions the chat received with the ones the
// person saw after each update: the same, in the same order, and as many
// as the script has steps. A question received twice in a row is an
// update in flight answered twice; it is allowed only as often as the
// person's updates were retried or a duplicated update's copy came late
// (lateCopy), and counted.
func (u *user) verify(calls []telegramtest.Call) (repeats int, err error) {
	var got []string
	for _, q := range questions(calls) {
		if len(got) > 0 && got[len(got)-1] == q {
			repeats++
			continue
		}
		got = append(got, q)
	}
	switch {
	case repeats > u.retried+u.lateCopies:
		return repeats, fmt.Errorf("%d questions sent twice, %d updates retried, %d copies late: a step applied twice",
			repeats, u.retried, u.lateCopies)
	case !slices.Equal(got, u.seen):
		return repeats, fmt.Errorf("questions received %v, seen %v", got, u.seen)
	case len(u.seen) != u.sc.Steps():
		return repeats, fmt.Errorf("%d questions for %d steps", len(u.seen), u.sc.Steps())
	}
	for i, q := range u.seen {
		if slices.Contains(u.seen[:i], q) {
			return repeats, fmt.Errorf("question %s asked twice: %v", q, u.seen)
		}
	}
	return repeats, nil
}

// questions lists the questions a chat received: the messages sent with
// buttons, or given buttons by an edit.
func questions(calls []telegramtest.Call) []string {
	var qs []string
	for _, c := range calls {
		if c.Method != "sendMessage" && c.Method != "editMessageReplyMarkup" {
			continue
		}
		if kb := c.Markup().InlineKeyboard; len(kb) > 0 {
			qs = append(qs, questionOf(kb))
		}
	}
	return qs
}

// questionOf is the question a keyboard answers: its buttons' callback
// data are "<question>:<answer>".
func questionOf(kb [][]models.InlineKeyboardButton) string {
	if len(kb) == 0 || len(kb[0]) == 0 {
		return ""
	}
	q, _, _ := strings.Cut(kb[0][0].CallbackData, ":")
	return q
}
