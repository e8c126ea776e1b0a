package main

import (
	"bufio"
	"io"
	"os"
)

// peekInput waits for the first byte of the terminal chat's input, unless
// it is a terminal, and reports whether there is none at all: /dev/null
// (a container without -i, a service), an empty file or pipe, a closed
// descriptor. It returns the reader to read the input from instead.
func peekInput(stdin io.Reader) (io.Reader, bool) {
	if f, ok := stdin.(*os.File); ok {
		if isNull(f) {
			return stdin, true
		}
		if isTerminal(f) {
			return stdin, false // a person types after the greeting
		}
	}
	br := bufio.NewReader(stdin)
	_, err := br.Peek(1)
	return br, err != nil
}

// isNull reports whether f is the null device, which is a character
// device like a terminal but never gives a byte.
func isNull(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

// isTerminal reports whether f is a character device (a terminal), so
// that piped input is echoed as a transcript instead.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
