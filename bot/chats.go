package bot

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// idleWorker is how long a worker whose chat is answered waits for
// another chat before it ends. Reusing it keeps the stack it grew (a step
// is deep: the FSM, the session codec, the store client), so that the
// next busy chat does not grow a new goroutine's stack again: that was
// 4.5 % of the bot's CPU under 1,000 people.
const idleWorker = 2 * time.Second

// Chats is the one per-chat worker of every channel. It runs each chat's
// tasks (an update to answer, a push to send, a notice) in the order they
// came, on one goroutine per busy chat, chats in parallel, and holds the
// channel's flood rule. The Runner's Serializer keeps one session's
// Load→Step→Save from interleaving; Chats keeps a chat's replies in order,
// even when the channel delivers two of its updates at once, and lets a
// push wait its turn behind them. K is the channel's own chat key. The zero
// value is ready to use; set the bounds before the first task.
type Chats[K comparable] struct {
	// MaxUpdates bounds the updates of one chat that may wait behind the
	// task running, MaxTasks the tasks of any kind; 0: no bound. Past a
	// bound an update is dropped, never a push: each Send waits for its
	// own, so pushes cannot pile up, and the caller must learn what became
	// of it. The zero key (an update that belongs to no chat) has no one
	// to flood nor to tell, and no bound.
	MaxUpdates, MaxTasks int
	// Dropped, if set, is told once a chat's backlog is answered how many
	// of its updates were dropped because their context ended before they
	// started (a shutdown).
	Dropped func(chat K, n int)

	mu      sync.Mutex
	queues  map[K][]chatTask // a chat is present while its worker runs
	flooded map[K]bool       // the chats told, once in their current backlog, of the flood
	stopped bool             // Stop: no push from now on
	closed  bool             // Close: no task at all from now on
	wg      sync.WaitGroup   // one per busy chat
	// idle hands a chat that became busy to a worker waiting for one
	// (idleWorker); nil until the first task. Close closes it.
	idle chan chatJob[K]
}

// chatJob is a chat handed to a worker, with its first task.
type chatJob[K comparable] struct {
	chat K
	t    chatTask
}

// chatTask is one entry of a chat's queue.
type chatTask struct {
	run    func()
	ctx    context.Context // an update's: done before it starts, it is dropped
	update bool            // an update, which the flood rule counts
}

// Admission is what became of an update given to Chats.Update.
type Admission int

const (
	// Admitted: queued, or running already.
	Admitted Admission = iota
	// Flood: dropped by the flood rule, the first in the chat's backlog;
	// the notice, if any, was queued ahead of the backlog.
	Flood
	// Flooding: dropped by the flood rule, the chat was told already.
	Flooding
	// Closed: dropped, Close was called.
	Closed
)

// Update queues run, the answer to one of the chat's updates, unless the
// chat floods (MaxUpdates, MaxTasks) or Chats is closed. On the first
// update a flood drops, notice (if not nil) is queued right after the task
// running: the chat is told to wait once per backlog. If ctx is done when
// its turn comes, run is not called (see Dropped).
func (c *Chats[K]) Update(ctx context.Context, chat K, run, notice func()) Admission {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return Closed
	}
	var none K
	if q, busy := c.queues[chat]; busy && chat != none {
		waiting := 0
		for _, t := range q {
			if t.update {
				waiting++
			}
		}
		if (c.MaxUpdates > 0 && waiting >= c.MaxUpdates) || (c.MaxTasks > 0 && len(q) >= c.MaxTasks) {
			if c.flooded[chat] {
				return Flooding
			}
			if c.flooded == nil {
				c.flooded = map[K]bool{}
			}
			c.flooded[chat] = true
			if notice != nil {
				c.queues[chat] = append([]chatTask{{run: notice}}, q...)
			}
			return Flood
		}
	}
	c.queueLocked(chat, chatTask{run: run, ctx: ctx, update: true})
	return Admitted
}

// Push queues run, a push or any task that is not an update, after the
// chat's tasks already queued; no bound applies. It returns false once
// Stop or Close was called: a worker it started could escape their wait.
func (c *Chats[K]) Push(chat K, run func()) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped || c.closed {
		return false
	}
	c.queueLocked(chat, chatTask{run: run})
	return true
}

// PushWait queues push on the chat's worker, as Push does, and waits for
// its result or ctx's end; a result that arrives as ctx ends still stands.
// A push whose caller gave up while the chat's queue was busy does not
// run. Once Stop or Close was called it returns refused. A ctx error is
// wrapped as "<channel> send: …", the way a channel's Send words its own.
func (c *Chats[K]) PushWait(ctx context.Context, chat K, channel string, refused error, push func() error) error {
	// Buffered: the chat's worker never waits for a caller that left.
	done := make(chan error, 1)
	if !c.Push(chat, func() {
		if err := ctx.Err(); err != nil {
			done <- fmt.Errorf("%s send: %w", channel, err)
			return
		}
		done <- push()
	}) {
		return refused
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		select {
		case err := <-done:
			return err
		default:
			return fmt.Errorf("%s send: %w", channel, ctx.Err())
		}
	}
}

// Stop refuses the pushes to come; updates are still taken (a channel's
// own loop may hand over the last ones while it stops).
func (c *Chats[K]) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
}

// Close refuses every task to come, waits for the queued ones and ends
// the idle workers.
func (c *Chats[K]) Close() {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	c.Wait()
	c.mu.Lock()
	if !already && c.idle != nil {
		close(c.idle) // no task can be queued any more: nothing sends on it
	}
	c.mu.Unlock()
}

// Wait returns once no chat has a task queued or running. A task must not
// be given while a Wait may see none: call Stop or Close first.
func (c *Chats[K]) Wait() { c.wg.Wait() }

// Waiting is the number of tasks of the chat waiting behind the one
// running.
func (c *Chats[K]) Waiting(chat K) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queues[chat])
}

// Busy is the number of chats with a worker running.
func (c *Chats[K]) Busy() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queues)
}

// queueLocked appends t to the chat's queue, with c.mu held, and starts
// the chat's worker if none runs.
func (c *Chats[K]) queueLocked(chat K, t chatTask) {
	if q, busy := c.queues[chat]; busy {
		c.queues[chat] = append(q, t)
		return
	}
	if c.queues == nil {
		c.queues = map[K][]chatTask{}
	}
	c.queues[chat] = nil // present: a worker runs
	c.wg.Add(1)
	if c.idle == nil {
		c.idle = make(chan chatJob[K])
	}
	select {
	case c.idle <- chatJob[K]{chat, t}: // a worker was waiting
	default:
		go c.worker(chatJob[K]{chat, t})
	}
}

// worker answers the chat of j, then waits for another busy chat for
// idleWorker, and ends when none comes or Close ends them.
func (c *Chats[K]) worker(j chatJob[K]) {
	timer := time.NewTimer(idleWorker)
	defer timer.Stop()
	for {
		c.work(j.chat, j.t)
		c.wg.Done()
		timer.Reset(idleWorker)
		var ok bool
		select {
		case j, ok = <-c.idle:
			if !ok {
				return
			}
		case <-timer.C:
			return
		}
	}
}

// work runs the chat's tasks, first t, until its queue is empty.
func (c *Chats[K]) work(chat K, t chatTask) {
	dropped := 0
	for {
		if t.ctx != nil && t.ctx.Err() != nil {
			dropped++
		} else {
			t.run()
		}
		c.mu.Lock()
		q := c.queues[chat]
		if len(q) == 0 {
			// The backlog is answered: a new flood gets a new notice.
			delete(c.queues, chat)
			delete(c.flooded, chat)
			c.mu.Unlock()
			if dropped > 0 && c.Dropped != nil {
				c.Dropped(chat, dropped)
			}
			return
		}
		t, q[0] = q[0], chatTask{}
		c.queues[chat] = q[1:]
		c.mu.Unlock()
	}
}
