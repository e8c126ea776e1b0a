package geo

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"
)

// kind is the format of a source file, told from its header.
type kind int

const (
	kindUnknown      kind = iota
	kindStandardCSV       // standard v1.0.2 CSV (also our shipped places.csv.gz)
	kindStandardJSON      // standard v1.0.2 JSON: an array of objects
	kindFranceServ        // ANCT liste-fs-*.csv
	kindOCMW              // flanders-local-governments-2022.csv
	kindPostcodes         // our shipped postcodes.csv.gz
	kindGeoNamesTSV       // GeoNames BE.txt
	kindGeoNamesCSV       // be-postcodes.csv
	kindLaPoste           // laposte_hexasmal.csv (";") or fr-postcodes.csv
	kindCommunes2025      // ../shared/data/be-communes/communes-2025.csv
	kindFusions           // fusions-2025.tsv: the communes merged in 2025
	kindBeST              // best-codes-postaux.tsv: postcode → communes (BeST)
	kindNamesDE           // communes-de.tsv: German names of communes
)

func (k kind) postcodes() bool { return k >= kindPostcodes && k <= kindLaPoste }

// communes says whether k is a file of Belgian communes.
func (k kind) communes() bool { return k >= kindCommunes2025 && k <= kindNamesDE }

// detect tells the format from the first line.
func detect(data []byte) kind {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && (t[0] == '[' || t[0] == '{') {
		return kindStandardJSON
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	h := strings.ToLower(strings.ReplaceAll(string(first), `"`, ""))
	switch {
	case strings.HasPrefix(h, "nis2025,name_fr,name_nl"):
		return kindCommunes2025
	case strings.HasPrefix(h, fusionsHeader):
		return kindFusions
	case strings.HasPrefix(h, bestHeader):
		return kindBeST
	case strings.TrimSpace(h) == namesDEHeader:
		return kindNamesDE
	case strings.HasPrefix(h, "be\t"):
		return kindGeoNamesTSV
	case strings.HasPrefix(h, "pays\tcode_postal\tnom\t"):
		return kindPostcodes
	case strings.HasPrefix(h, "postcode,place_name,"):
		return kindGeoNamesCSV
	case strings.HasPrefix(h, "code_commune_insee;") || strings.HasPrefix(h, "code_postal,code_insee,nom_commune"):
		return kindLaPoste
	case strings.Contains(h, "id_fs") && strings.Contains(h, "lib_fs"):
		return kindFranceServ
	case strings.HasPrefix(h, "lblod_uri,unit_type"):
		return kindOCMW
	case strings.Contains(h, "code_postal") && strings.Contains(h, "nom"):
		return kindStandardCSV
	}
	return kindUnknown
}

func readGz(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// record is one CSV row and the line it starts on.
type record struct {
	line   int
	fields []string
}

// readCSV reads every row it can; malformed rows become issues and the
// reading goes on.
func readCSV(file string, data []byte, comma rune, issues *[]Issue) (header []string, recs []record) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	first := true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				*issues = append(*issues, Issue{File: file, Line: pe.Line, Msg: "malformed CSV: " + pe.Err.Error()})
				continue
			}
			*issues = append(*issues, Issue{File: file, Msg: "read: " + err.Error()})
			break
		}
		line, _ := r.FieldPos(0)
		if first {
			first = false
			header = make([]string, len(rec))
			for i, h := range rec {
				header[i] = strings.ToLower(strings.TrimSpace(h))
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		recs = append(recs, record{line, rec})
	}
	return header, recs
}

// columns maps header names to positions and reports missing required
// ones on line 1. ok is false when a required column is missing.
func columns(file string, header, required []string, issues *[]Issue) (map[string]int, bool) {
	cols := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := cols[h]; dup {
			*issues = append(*issues, Issue{File: file, Line: 1, Field: h, Msg: "duplicated column; the first one is used", Warning: true})
			continue
		}
		cols[h] = i
	}
	ok := true
	for _, c := range required {
		if _, has := cols[c]; !has {
			*issues = append(*issues, Issue{File: file, Line: 1, Field: c, Msg: "missing required column; no row of this file can be read"})
			ok = false
		}
	}
	return cols, ok
}

// rowValues turns a record into column → value, checking width and
// encoding. nil means the row is rejected (the issue is recorded).
func rowValues(rc *rowCheck, header []string, rec record) map[string]string {
	if len(rec.fields) != len(header) {
		rc.errf("", "has %d fields, the header has %d (a missing or extra column, or a stray comma)", len(rec.fields), len(header))
		return nil
	}
	v := make(map[string]string, len(header))
	for i, h := range header {
		f := rec.fields[i]
		if !utf8.ValidString(f) {
			rc.errf(h, "not valid UTF-8: save the file as UTF-8 (it looks like Latin-1 or Windows-1252)")
			return nil
		}
		if _, dup := v[h]; !dup {
			v[h] = strings.TrimSpace(f)
		}
	}
	return v
}

// parsePostcodeFile reads any of the postcode formats.
func parsePostcodeFile(file string, data []byte) ([]pcRow, []Issue, error) {
	var issues []Issue
	k := detect(data)
	if k == kindPostcodes {
		return parseShippedPostcodes(file, data)
	}
	var (
		header []string
		recs   []record
	)
	switch k {
	case kindGeoNamesTSV:
		// No header: prepend the documented column names.
		header = []string{"country", "postcode", "place_name", "region", "region_code", "province",
			"province_code", "arrondissement", "arrondissement_nis", "lat", "lon", "accuracy"}
		data = append([]byte(strings.Join(header, "\t")+"\n"), data...)
		_, recs = readCSV(file, data, '\t', &issues)
		for i := range recs {
			recs[i].line-- // the added header is not in the file
		}
	case kindLaPoste:
		first, _, _ := bytes.Cut(data, []byte("\n"))
		comma := ','
		if bytes.Contains(first, []byte(";")) {
			comma = ';'
		}
		header, recs = readCSV(file, data, comma, &issues)
	case kindGeoNamesCSV:
		header, recs = readCSV(file, data, ',', &issues)
	default:
		return nil, issues, fmt.Errorf("%s: not a postcode file", file)
	}
	var (
		cols     map[string]int
		ok       bool
		country  Country
		areaCol  string
		pcCol    string
		nameCols []string
		latCol   string
		lonCol   string
		gpsCol   string
	)
	switch k {
	case kindGeoNamesTSV, kindGeoNamesCSV:
		cols, ok = columns(file, header, []string{"postcode", "place_name", "lat", "lon"}, &issues)
		country, pcCol, nameCols, latCol, lonCol = BE, "postcode", []string{"place_name"}, "lat", "lon"
		areaCol = "arrondissement_nis"
	case kindLaPoste:
		if len(header) > 0 && header[0] == "code_commune_insee" {
			cols, ok = columns(file, header, []string{"code_commune_insee", "nom_commune", "code_postal", "ligne_5", "libellé_d_acheminement", "coordonnees_gps"}, &issues)
			nameCols, gpsCol = []string{"libellé_d_acheminement", "nom_commune", "ligne_5"}, "coordonnees_gps"
		} else {
			cols, ok = columns(file, header, []string{"code_postal", "code_insee", "nom_commune", "ligne_5", "libelle_acheminement", "lat", "lon"}, &issues)
			nameCols, latCol, lonCol = []string{"libelle_acheminement", "nom_commune", "ligne_5"}, "lat", "lon"
		}
		country, pcCol = FR, "code_postal"
	}
	if !ok {
		return nil, issues, nil
	}
	get := func(r record, c string) string {
		i, has := cols[c]
		if !has || i >= len(r.fields) {
			return ""
		}
		return strings.TrimSpace(r.fields[i])
	}
	type key struct{ pc, name string }
	seen := make(map[key]bool)
	out := make([]pcRow, 0, len(recs))
	for _, r := range recs {
		rc := rowCheck{file: file, line: r.line, issues: &issues}
		if len(r.fields) != len(header) && k != kindGeoNamesTSV {
			rc.errf("", "has %d fields, the header has %d", len(r.fields), len(header))
			continue
		}
		if k == kindGeoNamesTSV && len(r.fields) < 11 {
			rc.errf("", "has %d fields, want 12", len(r.fields))
			continue
		}
		bad := false
		for _, f := range r.fields {
			if !utf8.ValidString(f) {
				bad = true
			}
		}
		if bad {
			rc.errf("", "not valid UTF-8: save the file as UTF-8")
			continue
		}
		c := country
		if k == kindLaPoste && strings.HasPrefix(get(r, "code_insee")+get(r, "code_commune_insee"), "99") {
			continue // Monaco (INSEE 99138) is in La Poste's file but is not France
		}
		pc := get(r, pcCol)
		if got, ok := countryOf(pc); !ok || got != c {
			rc.errf(pcCol, "postcode %q is not a %s postcode", pc, c)
			continue
		}
		var pt Point
		var err1, err2 error
		if gpsCol != "" {
			lat, lon, _ := strings.Cut(get(r, gpsCol), ",")
			pt.Lat, err1 = strconv.ParseFloat(strings.TrimSpace(lat), 64)
			pt.Lon, err2 = strconv.ParseFloat(strings.TrimSpace(lon), 64)
		} else {
			pt.Lat, err1 = strconv.ParseFloat(get(r, latCol), 64)
			pt.Lon, err2 = strconv.ParseFloat(get(r, lonCol), 64)
		}
		if err1 != nil || err2 != nil || !pt.valid() {
			rc.warnf("lat/lon", "no valid coordinates; postcode %s row skipped", pc)
			continue
		}
		for _, nc := range nameCols {
			name := titleName(get(r, nc))
			if name == "" {
				continue
			}
			kk := key{pc, normName(name)}
			if seen[kk] {
				continue
			}
			seen[kk] = true
			row := pcRow{country: c, postcode: pc, name: name, pt: pt}
			if areaCol != "" {
				row.area = get(r, areaCol)
			}
			out = append(out, row)
		}
	}
	return out, issues, nil
}

// Keys that no column can have, for what a JSON row carries besides values.
const (
	lineKey    = "\x00line"
	badUTF8Key = "\x00utf8"
)

// parseShippedPostcodes reads our own postcodes.tsv: tab-separated with no
// quoting, so a hand-written split is several times faster than
// encoding/csv, and this file is most of the directory's load time.
func parseShippedPostcodes(file string, data []byte) ([]pcRow, []Issue, error) {
	var issues []Issue
	out := make([]pcRow, 0, bytes.Count(data, []byte("\n")))
	text := string(data)
	line := 0
	for len(text) > 0 {
		var l string
		l, text, _ = strings.Cut(text, "\n")
		line++
		if line == 1 || l == "" {
			continue
		}
		var f [5]string
		n := 0
		for n < 4 {
			var ok bool
			f[n], l, ok = strings.Cut(l, "\t")
			if !ok {
				break
			}
			n++
		}
		f[n] = l
		lat, err1 := strconv.ParseFloat(f[3], 64)
		lon, err2 := strconv.ParseFloat(f[4], 64)
		pt := Point{lat, lon}
		c, ok := countryOf(f[1])
		if n != 4 || err1 != nil || err2 != nil || !pt.valid() || !ok || c != Country(f[0]) || !utf8.ValidString(f[2]) {
			issues = append(issues, Issue{File: file, Line: line, Msg: "bad postcode row"})
			continue
		}
		out = append(out, pcRow{country: c, postcode: f[1], name: f[2], pt: pt})
	}
	return out, issues, nil
}

// jsonRows reads a standard JSON file: an array of objects whose keys are
// the CSV column names. Values may be strings, numbers, booleans, null or
// arrays of strings (joined with "|").
func jsonRows(file string, data []byte, issues *[]Issue) []map[string]string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n")) }
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		*issues = append(*issues, Issue{File: file, Line: 1, Msg: "JSON must be an array of places"})
		return nil
	}
	var out []map[string]string
	for dec.More() {
		off := dec.InputOffset()
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			*issues = append(*issues, Issue{File: file, Line: lineAt(off), Msg: "malformed JSON: " + err.Error()})
			return out
		}
		// The offset is just before the object; skip spaces and commas.
		for int(off) < len(data) && strings.ContainsRune(" \t\r\n,", rune(data[off])) {
			off++
		}
		row := map[string]string{lineKey: strconv.Itoa(lineAt(off))}
		for k, v := range raw {
			k = strings.ToLower(strings.TrimSpace(k))
			if !utf8.Valid(v) {
				row[badUTF8Key] = k // json would silently turn it into U+FFFD
			}
			row[k] = jsonValue(v)
		}
		out = append(out, row)
	}
	return out
}

func jsonValue(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return strings.TrimSpace(s)
	}
	var list []any
	if json.Unmarshal(v, &list) == nil {
		var parts []string
		for _, e := range list {
			parts = append(parts, strings.TrimSpace(fmt.Sprint(e)))
		}
		return strings.Join(parts, "|")
	}
	var x any
	if json.Unmarshal(v, &x) == nil && x != nil {
		if f, ok := x.(float64); ok {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		return fmt.Sprint(x)
	}
	return ""
}
