package sheet

import "testing"

func TestPhone(t *testing.T) {
	tests := []struct {
		in   string
		c    string
		want string
	}{
		{"+33180059880", "FR", "01 80 05 98 80"},
		{"04 50 56 87 49", "FR", "04 50 56 87 49"},
		{"+3225551234", "BE", "02 555 12 34"},
		{"+32470123456", "BE", "0470 12 34 56"},
		{"050/44.44.44", "BE", "050 44 44 44"},
		{"0032 9 123 45 67", "BE", "09 123 45 67"},
		{"+590590123456", "FR", "+590590123456"},
		{"n/a", "FR", ""},
		{"12", "BE", ""},
	}
	for _, tt := range tests {
		var issues []Issue
		rc := Check{Issues: &issues}
		if got := Phone(&rc, "telephone", tt.in, tt.c); got != tt.want {
			t.Errorf("Phone(%q, %s) = %q, want %q", tt.in, tt.c, got, tt.want)
		}
	}
}
