package geo

import (
	"testing"
	"time"
)

func TestParseHours(t *testing.T) {
	tests := []struct {
		in, want string // want "" means an error
	}{
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"},
		{"Mo-Fr 09:00-12:00, 14:00-17:00", "Mo-Fr 09:00-12:00,14:00-17:00"},
		{"Mo,We,Fr 10:00-12:00", "Mo 10:00-12:00; We 10:00-12:00; Fr 10:00-12:00"},
		{"Mo-Fr 09:00-18:00; We off", "Mo-Tu 09:00-18:00; Th-Fr 09:00-18:00"},
		{"Mo-Sa 09:00-12:00; PH off", "Mo-Sa 09:00-12:00"},
		{"Mo-Fr 09:00-12:00; PH 10:00-11:00", "Mo-Fr 09:00-12:00"},
		{"24/7", "24/7"},
		{"10:00-16:00", "Mo-Su 10:00-16:00"},
		{"Fr-Mo 10:00-12:00", "Mo 10:00-12:00; Fr-Su 10:00-12:00"},
		{"Sa 22:00-02:00", "Sa 22:00-24:00; Su 00:00-02:00"},
		{"Mo-Fr 9:00-12:00", "Mo-Fr 09:00-12:00"},
		{"Mo - Fr 09:00 - 12:00 ; Sa 10:00-11:00", "Mo-Fr 09:00-12:00; Sa 10:00-11:00"}, // hand-typed spaces
		{"Mo , We 10:00 - 12:00 , 14:00-16:00", "Mo 10:00-12:00,14:00-16:00; We 10:00-12:00,14:00-16:00"},
		{"off", "Mo-Su off"},
		{"Mo-Fr 14:00-18:00,09:00-12:00", "Mo-Fr 09:00-12:00,14:00-18:00"},
		{"", ""},
		{"Mo-Fr 09:00-25:70", ""},
		{"Mo-Fr 9h-12h", ""},
		{"Jan-Mar Mo 10:00-12:00", ""},
		{"Mo-Fr 09:00-12:00 \"sur rendez-vous\"", ""},
		{"Mo-Fr 09:00-12:00 || Sa 10:00-11:00", ""},
		{"Mo[1] 10:00-12:00", ""},
		{"SH off", ""},
		{"Lundi 09:00-12:00", ""},
		{"Mo-Fr 09:00", ""},
		{"Mo-Fr 09:00-12:00 14:00-17:00", ""},
	}
	for _, tt := range tests {
		w, err := ParseHours(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ParseHours(%q) = %q, want an error", tt.in, w)
		case tt.want != "" && err != nil:
			t.Errorf("ParseHours(%q) error %v, want %q", tt.in, err, tt.want)
		case tt.want != "" && w.String() != tt.want:
			t.Errorf("ParseHours(%q) = %q, want %q", tt.in, w, tt.want)
		}
	}
}

func TestParseDayColumn(t *testing.T) {
	tests := []struct {
		in   string
		want []Span
		err  bool
	}{
		{"09:00 - 12:00 / 14:00 - 17:00", []Span{{From: 540, To: 720}, {From: 840, To: 1020}}, false},
		{"09:00-12:00/13:30-17:00", []Span{{From: 540, To: 720}, {From: 810, To: 1020}}, false},
		{"08 :30-12:00", []Span{{From: 510, To: 720}}, false},
		{"09:00-12:00,13:00-17:00", []Span{{From: 540, To: 720}, {From: 780, To: 1020}}, false},
		{"09:00-12:00 14:00-16:30", []Span{{From: 540, To: 720}, {From: 840, To: 990}}, false},
		{"09:00-12:30-13:30-17:00", []Span{{From: 540, To: 750}, {From: 810, To: 1020}}, false},
		{"09:30-12:30/\n\n 13:30-18:00", []Span{{From: 570, To: 750}, {From: 810, To: 1080}}, false},
		{"00:00 - 00:00", nil, false},
		{"08:30 - 16:30 / 08:30 - 16:30", []Span{{From: 510, To: 990}}, false},
		{"", nil, false},
		{"-", nil, false},
		{"09:00-13:00-/3:00-16:00", nil, true},
		{"07:30:12:30", nil, true},
		{"09:00 - 16:00 / 13:00 - 16:00", nil, true},
		{"09:00", nil, true},
		{"sur rendez-vous", nil, true},
	}
	for _, tt := range tests {
		got, err := parseDayColumn(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("parseDayColumn(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("parseDayColumn(%q) = %v, want %v", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("parseDayColumn(%q) = %v, want %v", tt.in, got, tt.want)
			}
		}
	}
}

func TestOpeningAt(t *testing.T) {
	bru, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		tt, err := time.ParseInLocation("2006-01-02 15:04", s, bru)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	// 2025-03-03 is a Monday; 2025-03-30 is the spring DST change (Sunday).
	tests := []struct {
		hours string
		now   time.Time
		known bool
		open  bool
		next  string // "" = zero
	}{
		{"Mo-Fr 09:00-12:00,14:00-17:00", at("2025-03-03 10:00"), true, true, "2025-03-03 12:00"},
		{"Mo-Fr 09:00-12:00,14:00-17:00", at("2025-03-03 12:30"), true, false, "2025-03-03 14:00"},
		{"Mo-Fr 09:00-12:00,14:00-17:00", at("2025-03-07 17:00"), true, false, "2025-03-10 09:00"},
		{"Mo-Fr 09:00-12:00", at("2025-03-08 10:00"), true, false, "2025-03-10 09:00"},
		{"Sa 22:00-02:00", at("2025-03-08 23:00"), true, true, "2025-03-09 02:00"},
		{"Mo 09:00-12:00", at("2025-03-03 13:00"), true, false, "2025-03-10 09:00"},
		{"Su 01:00-05:00", at("2025-03-30 00:30"), true, false, "2025-03-30 01:00"},
		{"24/7", at("2025-03-03 10:00"), true, true, ""},
		{"off", at("2025-03-03 10:00"), true, false, ""},
		{"lundi 9h-12h", at("2025-03-03 10:00"), false, false, ""},
		{"", at("2025-03-03 10:00"), false, false, ""},
	}
	for _, tt := range tests {
		p := &Place{Hours: tt.hours}
		// In UTC on purpose: OpeningAt must convert to Brussels time.
		got := p.OpeningAt(tt.now.UTC())
		var want time.Time
		if tt.next != "" {
			want = at(tt.next)
		}
		if got.Known != tt.known || got.Open != tt.open || !got.Next.Equal(want) {
			t.Errorf("(%q).OpeningAt(%v) = %+v, want known=%v open=%v next=%v", tt.hours, tt.now, got, tt.known, tt.open, want)
		}
	}
}

// FuzzParseHours: no input may panic, and what is accepted round-trips
// through its normalised form.
func FuzzParseHours(f *testing.F) {
	for _, s := range []string{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "24/7", "PH off",
		"Sa 22:00-02:00", "Mo,We 10:00-12:00; We off", "09:00 - 12:00 / 14:00 - 17:00", "07:30:12:30", "Fr-Mo 00:00-48:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if w, err := ParseHours(s); err == nil {
			w2, err := ParseHours(w.String())
			if err != nil {
				t.Fatalf("ParseHours(%q) = %q, which does not parse: %v", s, w, err)
			}
			if w2.String() != w.String() {
				t.Fatalf("round trip of %q: %q then %q", s, w, w2)
			}
			p := &Place{Hours: s}
			p.OpeningAt(time.Date(2025, 3, 30, 2, 30, 0, 0, time.UTC))
		}
		if spans, err := parseDayColumn(s); err == nil {
			for i, sp := range spans {
				if sp.From >= sp.To || (i > 0 && sp.From < spans[i-1].To) {
					t.Fatalf("parseDayColumn(%q) = %v: not increasing", s, spans)
				}
			}
		}
	})
}
