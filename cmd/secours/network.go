package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/network"
	"github.com/secours/secours/store/memory"
)

const networkUsage = `usage: secours network token NAME

Prints a new token for the page of network NAME (lower-case letters,
digits and dashes: epn-wallonie, caban, digipunten-gent). The token goes
on stdout, once: give it to the network's coordinator, its page is
<BASE_URL>/net/<token>. On stderr, the line to add to the server's
NETWORK_TOKENS (name:sha256, comma-separated): the server keeps only the
SHA-256, so a lost token is replaced, never recovered.
`

// runNetwork is "secours network".
func runNetwork(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stdout, networkUsage)
		return 0
	}
	if len(args) != 2 || args[0] != "token" {
		fmt.Fprint(stderr, networkUsage)
		return 2
	}
	name := args[1]
	if !network.ValidName(name) {
		fmt.Fprintf(stderr, "secours network token: %q is not a network name: lower-case letters, digits and dashes, 2 to 40\n", name)
		return 2
	}
	token, sum := network.NewToken()
	fmt.Fprintln(stdout, token)
	page := "<BASE_URL>/net/<token>"
	if base := strings.TrimRight(getenv("BASE_URL"), "/"); base != "" {
		page = base + "/net/<token>"
	}
	fmt.Fprintf(stderr, "NETWORK_TOKENS=%s:%s\n", name, sum)
	fmt.Fprintf(stderr, "Give the token (stdout) to the coordinator of %s: their page is %s.\n"+
		"Add the line above to NETWORK_TOKENS (comma-separated with the other networks') and keep the token nowhere else.\n", name, page)
	return 0
}

// newNetworks makes the service that keeps live the networks' places and
// the structures' cards: on the store if it keeps them (Redis), else in
// this process's memory. It has read the store once when it returns.
func newNetworks(ctx context.Context, st any, base *geo.Directory, live *geo.Live, tokens map[string]string, log *slog.Logger) (*network.Service, error) {
	ns, ok := st.(network.Store)
	if !ok {
		ns = memory.NewNetworks(nil)
	}
	texts, err := network.LoadTexts(configs.FS)
	if err != nil {
		return nil, err
	}
	svc, err := network.New(network.Options{Store: ns, Base: base, Live: live, Texts: texts, Tokens: tokens, Log: log})
	if err != nil {
		return nil, err
	}
	if err := svc.Refresh(ctx); err != nil {
		return nil, err
	}
	return svc, nil
}

// printNetworkCoverage writes, for each network that published, its
// places and when each was last confirmed, flagging those of more than
// network.StaleAfter months.
func printNetworkCoverage(ctx context.Context, w io.Writer, st network.Store, svc *network.Service) error {
	owners, err := st.Owners(ctx)
	if err != nil {
		return err
	}
	shown := 0
	for _, name := range owners {
		cur, _, err := st.State(ctx, name)
		if err != nil {
			return err
		}
		if !cur.Published() {
			continue // only card edits: an embedded dataset, not a network's list
		}
		es, err := svc.Places(ctx, name)
		if err != nil {
			return err
		}
		stale := 0
		for _, e := range es {
			if e.Stale {
				stale++
			}
		}
		fmt.Fprintf(w, "\nnetwork %s: %d places, %d not confirmed for %d months\n", name, len(es), stale, network.StaleAfter)
		for _, e := range es {
			flag := ""
			if e.Stale {
				flag = "  NOT CONFIRMED FOR 12 MONTHS"
			}
			confirmed := "never"
			if !e.Confirmed.IsZero() {
				confirmed = e.Confirmed.Format(time.DateOnly)
			}
			fmt.Fprintf(w, "  %s\t%s\t%s\tconfirmed %s%s\n", e.ID, e.Name, e.Commune, confirmed, flag)
		}
		shown++
	}
	if shown == 0 {
		fmt.Fprintln(w, "\nno network has published places")
	}
	return nil
}
