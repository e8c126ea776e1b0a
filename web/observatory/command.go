package observatory

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/secours/secours/flows"
)

// The command line's side of the observatory ("secours stats"): cmd
// parses the flags and opens the store, these print.

// Print writes the report of cells over f to w: a table for a terminal,
// or the CSV of the page's export.
func Print(w io.Writer, cells []flows.Cell, f Filter, words Words, asCSV bool) error {
	write := WriteText
	if asCSV {
		write = WriteCSV
	}
	return write(w, Build(cells, f), words)
}

// RangeProblem words a bad -from, -to or -area for a person at a
// terminal.
func RangeProblem(err error) string {
	re, ok := errors.AsType[*RangeError](err)
	if !ok {
		return err.Error()
	}
	switch re.Problem {
	case ProblemMonth:
		return fmt.Sprintf("%q is not a month: write it YYYY-MM, like 2026-03", re.Value)
	case ProblemReversed:
		return "-from is after -to"
	case ProblemLong:
		return fmt.Sprintf("the range is too long: at most %d months", MaxMonths)
	}
	return strings.TrimPrefix(err.Error(), "observatory: ")
}

// PrintToken is "secours stats token": a new token on the first line
// and the server's setting, its SHA-256, on the second, so that a script
// can take either; the explanation goes to stderr. base is BASE_URL, for
// the page's address; "" names it.
func PrintToken(stdout, stderr io.Writer, base string) {
	b := make([]byte, 32)
	rand.Read(b) // since Go 1.24 it crashes rather than return an error
	token := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(token))
	fmt.Fprintln(stdout, token)
	fmt.Fprintln(stdout, "OBSERVATORY_TOKEN_SHA256="+hex.EncodeToString(sum[:]))
	page := "<BASE_URL>/obs/<token>"
	if base := strings.TrimRight(base, "/"); base != "" {
		page = base + "/obs/<token>"
	}
	fmt.Fprintf(stderr, "Give the token (first line) to the network coordinators: their page is %s.\n"+
		"Configure the server with the second line only, and keep the token nowhere else.\n", page)
}
