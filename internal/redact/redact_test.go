package redact

import "testing"

func TestURLs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"redis://u:secret@h/0", "redis://u:xxxxx@h/0"},
		{"rediss://:secret@h:6380/2", "rediss://:xxxxx@h:6380/2"},
		{"smtp://u:secret@mail.example:587?from=secours@example.org", "smtp://u:xxxxx@mail.example:587?from=secours@example.org"},
		{`default "postgres://u:secret@db/wa" here`, `default "postgres://u:xxxxx@db/wa" here`},
		{"redis+sentinel://:secret@10.0.0.1,10.0.0.2/m/1 and redis://:secret@h", "redis+sentinel://:xxxxx@10.0.0.1,10.0.0.2/m/1 and redis://:xxxxx@h"},
		// Unparsable: a port typo, a "/" in the password, JSON quoting.
		{"redis://u:secret@h:port/0", "redis://xxxxx@h:port/0"},
		{"redis://u:sec/ret@h/0", "redis://xxxxx@h/0"},
		{`{"err":"dial \"redis://u:secret@h:x\""}`, `{"err":"dial \"redis://xxxxx@h:x\""}`},
		// Nothing to hide.
		{"redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"},
		{"smtp://mail.example:25?from=a@b.example", "smtp://mail.example:25?from=a@b.example"},
		{"no url at all", "no url at all"},
	}
	for _, tt := range tests {
		if got := URLs(tt.in); got != tt.want {
			t.Errorf("URLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
