//go:build linux

package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/secours/secours/internal/testkit"
)

// openPTY opens a pseudo-terminal: the master end the test types into,
// and the terminal end the program reads as its standard input.
func openPTY(t *testing.T) (master, term *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatalf("unlock pty: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatalf("pty number: %v", e)
	}
	term, err = os.OpenFile("/dev/pts/"+strconv.FormatUint(uint64(n), 10), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	return master, term
}

// TestTerminalChatInTerminal runs the real binary with no channel on a
// terminal: it greets at once, without waiting for input, then answers
// what is typed and ends at Ctrl-D with exit 0. The check for an empty
// input never reads from a terminal (issue 17).
func TestTerminalChatInTerminal(t *testing.T) {
	bin := buildBinary(t)
	master, term := openPTY(t)
	cmd := exec.Command(bin)
	cmd.Env = []string{"HTTP_ADDR=127.0.0.1:0", "OUTBOX_DIR=" + t.TempDir()}
	cmd.Stdin = term
	var stdout, stderr testkit.SyncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	term.Close() // the child has its own
	defer cmd.Process.Kill()
	testkit.WaitFor(t, "the greeting and the prompt, before any input", func() bool {
		return strings.Contains(stdout.String(), "Bonjour, je suis Secours") && strings.HasSuffix(stdout.String(), "> ")
	})
	greeted := len(stdout.String())
	if _, err := master.WriteString("1\n"); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the answer to 1", func() bool { return len(stdout.String()) > greeted+2 })
	if _, err := master.WriteString("\x04"); err != nil { // Ctrl-D: the end of input
		t.Fatal(err)
	}
	exited, err := waitExit(cmd, 20*time.Second)
	if !exited {
		t.Fatalf("still running after Ctrl-D:\n%s", stdout.String())
	}
	if err != nil {
		t.Fatalf("after Ctrl-D: %v\n%s", err, stderr.String())
	}
}
