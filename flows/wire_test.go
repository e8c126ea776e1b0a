package flows

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// wireSeeds are stored forms: a late session as the engine writes it, and
// the odd ones encoding/json writes or accepts.
func wireSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	now := time.Date(2026, 11, 24, 9, 0, 0, 123456000, time.UTC)
	s := NewSession("tg:812345678", now)
	s.Rev, s.State, s.Lang = 7, StateConsent, FR
	s.Answers = map[string]string{"need": "health", "who": "self", "device": "smartphone"}
	s.Trail = []string{StateLang, StateCountry, StateWho}
	s.Postcode, s.Lat, s.Lon = "1060", 50.8289, 4.3451
	s.Places = []string{"be-epn-0142", "be-cpas-1060"}
	s.Seen = []string{"815364201", "815364204"}
	s.ConsentAt, s.ConsentBy, s.Pick, s.ContactAidant = now, "self", 1, true
	s.Ref, s.RefPlace, s.SharedBy, s.Area = "abc", "be-epn-0142", "fr-fs-1", "BE:Saint-Gilles"
	full, err := s.Encode()
	if err != nil {
		tb.Fatal(err)
	}
	return [][]byte{full,
		[]byte(`{"v":1,"c":"tg:1","r":0,"s":"start","ct":0,"ut":0}`),
		[]byte(` { "v" : 1 , "c" : "a<b" , "pl" : [ ] } `),
		[]byte(`{"v":1,"c":"x\u003cy","la":1e-7,"lo":-2.5E+3}`),
		[]byte(`{"v":1,"V":2,"c":null,"zz":{"a":[1,2]}}`),
		[]byte(`{"v":1,"v":2}`),
		[]byte(`{"v":01}`),
		[]byte(`{"v":1.0,"r":1e2}`),
		[]byte(`{"c":"\xff"}`),
		[]byte(`{"pl":["a","b\n"]}`),
		[]byte(`{"ca":true,"pk":-3,"rt":9223372036854775808}`),
		[]byte(`{} x`),
	}
}

// FuzzWireDecode: whatever the bytes, decodeWire gives what json.Unmarshal
// gives (the same value, or an error both times).
func FuzzWireDecode(f *testing.F) {
	for _, s := range wireSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast, ref wire
		errFast := decodeWire(data, &fast)
		errRef := json.Unmarshal(data, &ref)
		if (errFast == nil) != (errRef == nil) {
			t.Fatalf("decodeWire(%q) error %v, json.Unmarshal error %v", data, errFast, errRef)
		}
		if errRef == nil && !reflect.DeepEqual(fast, ref) {
			t.Fatalf("decodeWire(%q) = %+v, json.Unmarshal = %+v", data, fast, ref)
		}
	})
}

// FuzzWireEncode: appendWire writes json.Marshal's bytes, and what it
// writes is read back by the plain path, not by the fallback.
func FuzzWireEncode(f *testing.F) {
	f.Add(1, "tg:1", int64(3), "need", "a=b,c=d", "pl1", 50.8289, -4.3451, int64(1732440000000000), true)
	f.Add(0, "a<b>&\u2028\x00\xff", int64(-1), "", "", "", 1e-7, 1e21, int64(0), false)
	f.Add(2, "é\"\\\t\n\r\b\f", int64(math.MaxInt64), "ü", "x", "\x7f", math.SmallestNonzeroFloat64, -0.0, int64(math.MinInt64), true)
	f.Fuzz(func(t *testing.T, v int, s1 string, n int64, s2, s3, s4 string, lat, lon float64, us int64, ca bool) {
		w := wire{V: v, Chat: s1, Rev: n, State: s2, Lang: s3, Answers: s2 + s3, Trail: s4, Paused: s1,
			Postcode: s4, Lat: lat, Lon: lon, Payload: s3, Retries: v, Seen: s1, Created: us, Updated: n,
			ConsentAt: us, ConsentBy: s2, Pick: v, CAidant: ca, Ref: s4, RefPlace: s1, SharedBy: s3, Area: s2}
		if s4 != "" {
			w.Places = []string{s4, s1}
		}
		want, errRef := json.Marshal(w)
		got, err := appendWire(nil, &w)
		if (err == nil) != (errRef == nil) {
			t.Fatalf("appendWire error %v, json.Marshal error %v", err, errRef)
		}
		if errRef != nil {
			return
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("appendWire =\n%s\njson.Marshal =\n%s", got, want)
		}
		var back wire
		if err := decodeWire(got, &back); err != nil {
			t.Fatalf("decodeWire(appendWire) error %v", err)
		}
		plain := !strings.ContainsAny(string(got), `\`)
		var direct wire
		if plain && !parseWire(got, &direct) {
			t.Errorf("the plain path gave up on %s", got)
		}
	})
}

// TestWireMatchesEncodingJSON runs the seeds through both, outside the
// fuzzer, so that every `go test` checks them.
func TestWireMatchesEncodingJSON(t *testing.T) {
	for _, data := range wireSeeds(t) {
		var fast, ref wire
		errFast := decodeWire(data, &fast)
		errRef := json.Unmarshal(data, &ref)
		if (errFast == nil) != (errRef == nil) || errRef == nil && !reflect.DeepEqual(fast, ref) {
			t.Errorf("%s: decodeWire %+v, %v; json.Unmarshal %+v, %v", data, fast, errFast, ref, errRef)
		}
	}
	full := wireSeeds(t)[0]
	var w wire
	if !parseWire(full, &w) {
		t.Errorf("the plain path gave up on a session the engine wrote: %s", full)
	}
	if back, err := appendWire(nil, &w); err != nil || !bytes.Equal(back, full) {
		t.Errorf("re-encoded: %s, %v; want %s", back, err, full)
	}
}

// BenchmarkSessionCodec: the hand codec against encoding/json on a late
// session (decode, then encode).
func BenchmarkSessionCodec(b *testing.B) {
	data := wireSeeds(b)[0]
	b.Run("wire", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var w wire
			if err := decodeWire(data, &w); err != nil {
				b.Fatal(err)
			}
			if _, err := appendWire(make([]byte, 0, 512), &w); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var w wire
			if err := json.Unmarshal(data, &w); err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(w); err != nil {
				b.Fatal(err)
			}
		}
	})
}
