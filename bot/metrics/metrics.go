// Package metrics holds the Prometheus metrics of a Secours process. Every
// method is safe on a nil *Metrics, so that components built without
// metrics (tests, tools) need no check.
//
// No label ever carries a chat id, a phone number, a postcode or a free
// text: labels take their values from short fixed sets (channel, kind,
// profile, status, a failure class).
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the process's counters and histograms.
type Metrics struct {
	reg        *prometheus.Registry
	updates    *prometheus.CounterVec
	steps      *prometheus.HistogramVec
	profiles   *prometheus.CounterVec
	referrals  *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	retries    *prometheus.CounterVec
	waits      *prometheus.CounterVec
	storeErrs  *prometheus.CounterVec
}

// New registers the metrics, with the Go runtime's and the process's own,
// on a registry of their own.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{
		reg:     reg,
		updates: counter("secours_updates_total", "Incoming messages by channel and kind.", "channel", "kind"),
		steps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "secours_step_seconds", Help: "Conversation steps (load, step, save) by channel: count and latency.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"channel"}),
		profiles:   counter("secours_profiles_total", "Profiles assigned by the diagnostic.", "profile"),
		referrals:  counter("secours_referrals_total", "Referral status changes, by the status reached.", "status"),
		deliveries: counter("secours_delivery_failures_total", "Failed deliveries of mails to structures, by cause.", "cause"),
		retries:    counter("secours_send_retries_total", "Messages sent again after the channel refused them for a while (429).", "channel"),
		waits:      counter("secours_rate_limit_wait_seconds_total", "Time spent waiting out the channel's rate limits (429).", "channel"),
		storeErrs:  counter("secours_store_errors_total", "Steps that failed on the store (the person was asked to try again).", "event"),
	}
	for _, c := range []prometheus.Collector{m.updates, m.steps, m.profiles, m.referrals, m.deliveries, m.retries, m.waits, m.storeErrs} {
		f(c)
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry is where the metrics are registered, for tests and for other
// collectors.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Kind names of incoming messages, for the kind label.
var kinds = map[uint8]string{0: "text", 1: "choice", 2: "location", 3: "command", 4: "unsupported"}

// Update counts an incoming message. kind is flows.Kind.
func (m *Metrics) Update(channel string, kind uint8) {
	if m == nil {
		return
	}
	k, ok := kinds[kind]
	if !ok {
		k = "other"
	}
	m.updates.WithLabelValues(label(channel), k).Inc()
}

// Step records a conversation step and how long it took.
func (m *Metrics) Step(channel string, d time.Duration) {
	if m == nil {
		return
	}
	m.steps.WithLabelValues(label(channel)).Observe(d.Seconds())
}

// Profile counts a profile assigned.
func (m *Metrics) Profile(profile string) {
	if m != nil && profile != "" {
		m.profiles.WithLabelValues(profile).Inc()
	}
}

// Referral counts a referral reaching a status.
func (m *Metrics) Referral(status string) {
	if m != nil {
		m.referrals.WithLabelValues(status).Inc()
	}
}

// DeliveryFailure counts a failed delivery by its short cause.
func (m *Metrics) DeliveryFailure(cause string) {
	if m != nil {
		m.deliveries.WithLabelValues(cause).Inc()
	}
}

// RateLimited counts a message refused with a 429 and the wait before it
// is sent again.
func (m *Metrics) RateLimited(channel string, wait time.Duration) {
	if m == nil {
		return
	}
	m.retries.WithLabelValues(label(channel)).Inc()
	m.waits.WithLabelValues(label(channel)).Add(wait.Seconds())
}

// StoreError counts a step that failed on the store.
func (m *Metrics) StoreError(event string) {
	if m != nil {
		m.storeErrs.WithLabelValues(event).Inc()
	}
}

// label keeps a channel label to the known channels: anything else would
// let a caller put an unbounded or personal value in a label.
func label(channel string) string {
	switch channel {
	case "tg", "wa", "cli":
		return channel
	}
	return "other"
}

// counter is a counter vector named and explained, by labels.
func counter(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}
