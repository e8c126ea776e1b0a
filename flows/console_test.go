package flows_test

import (
	"strings"
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
)

// TestConsoleLongLine: the terminal chat answered nothing and stopped,
// exit 0, after a line over 64 KiB (issue 17.5). Through the real engine
// it now answers as Telegram and WhatsApp do (the key too_long), then
// answers the next line.
func TestConsoleLongLine(t *testing.T) {
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	got := replay(t, []string{strings.Repeat("a", 100*1024), "1"})
	tooLong := cats[flows.FR]["too_long"]
	i := strings.Index(got, "< "+tooLong)
	if i < 0 {
		t.Fatalf("no %q answer to the 100 KiB line", tooLong)
	}
	// "1" at the language question is French: the country comes next.
	if !strings.Contains(got[i:], "> 1\n< "+cats[flows.FR]["q.country"]) {
		t.Errorf("the line after the long one was not answered:\n%s", got[i:])
	}
}

// TestTypedBadCoordinates: "999,999" or "NaN,NaN" typed at the location
// step was looked up as a commune name. It is now answered as coordinates
// that are not valid, and the question stays.
func TestTypedBadCoordinates(t *testing.T) {
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	toLocation := []string{"1", "2", "1", "5", "1", "1", "3", "1", "1", "1", "1"} // profile_autonome_fr
	for _, in := range []string{"999,999", "NaN,NaN", "95.0, 4.0", "-91;0"} {
		t.Run(in, func(t *testing.T) {
			got := replay(t, append(toLocation, in, "75011"))
			_, after, _ := strings.Cut(got, "> "+in+"\n")
			answer, _, _ := strings.Cut(after, "> 75011")
			if !strings.HasPrefix(answer, "< "+cats[flows.FR]["location.bad_point"]+"\n< "+cats[flows.FR]["q.location"]) {
				t.Errorf("answer to %q:\n%s", in, answer)
			}
			if !strings.Contains(got, "🏢") {
				t.Errorf("the postcode typed next found no place:\n%s", got)
			}
		})
	}
}
