package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/bot/wacloud/wacloudtest"
	"github.com/secours/secours/cmd/loadtest/fleet"
	"github.com/secours/secours/store/redis/redistest"
)

// TestWhatsAppCloudInstances runs three instances of the real binary on
// one Redis behind the fake Cloud API, and 30 people through whole
// conversations across them: the fake posts every message to one
// callback URL, a rotator in front of the instances (fleet.Rotator, the
// load balancer) sends each post to the next instance, so that no step
// runs where the one before it did; one message in five is posted again
// after its 200, to another instance, as Meta does when it missed the
// 200; one instance is SIGKILLed halfway and restarted, and the messages
// it had in flight are posted again 6 s later (Redeliver). Every
// conversation must end, every message get its question, in order, none
// twice (no step applied twice) and none lost, with one mail per
// referral.
func TestWhatsAppCloudInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	const people = 30
	bin := buildBinary(t)
	u := redistest.URL(t)
	api := wacloudtest.New(wacloudtest.Options{})
	defer api.Close()
	f, dir := startFleet(t, bin, u, fleet.Config{Channel: fleet.ChannelCloud, Cloud: fleet.CloudOf(api)})
	defer f.Stop()
	rot := fleet.NewRotator(f)
	defer rot.Close()
	total := 0
	for i, scs := 0, fleet.Scripts(); i < people; i++ {
		total += scs[i%len(scs)].Steps()
	}
	k := f.KillAt(1, total/2)
	// Not +32 or +33: the country is asked, as the scripts expect.
	r := fleet.DriveCloud(t.Context(), api, rot, fleet.Options{Users: people, FirstChat: 447_700_900_000,
		Think: 5 * time.Millisecond, Ramp: time.Second, DupEvery: 5, Retry: 6 * time.Second, GiveUp: 30 * time.Second, OnStep: k.OnStep})
	fired, down, kerr := k.Wait()
	if !fired || kerr != nil {
		t.Errorf("the kill: fired %v, restart %v", fired, kerr)
	}
	checkOneMailPerReferral(t, filepath.Join(dir, "outbox"), consenting(people))
	if _, _, err := f.Stop(); err != nil {
		t.Error(err)
	}
	t.Logf("%d people, %d messages (%d posted again after their 200, %d after no answer) in %s, %d posts; "+
		"reply p50 %s p99 %s; instance down %s", r.Users, r.Steps, r.Dups, r.Retried, r.Elapsed.Round(time.Millisecond),
		r.Posts, r.Quantile(0.5), r.Quantile(0.99), down.Round(time.Millisecond))
	if !r.OK() {
		t.Errorf("%d of %d people completed, %d stuck, %d 5xx, %d other non-2xx: %v", r.Completed, r.Users, r.Stuck, r.Status5xx, r.StatusBad, r.Errs)
	}
	if r.Dups == 0 || r.Nudges != 0 {
		t.Errorf("%d messages posted again (want some), %d sent again by the person (want none)", r.Dups, r.Nudges)
	}
	logs := f.Logs()
	if strings.Contains(logs, api.Token) || strings.Contains(logs, api.AppSecret) || strings.Contains(logs, "447700900") {
		t.Error("the instances logged a secret or a number")
	}
	checkNoErrorLogged(t, logs)
}
