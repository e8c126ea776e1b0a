package geoimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/geo/internal/sheet"
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

// parsePostcodeFile reads any of the postcode source formats (our shipped
// postcodes.tsv is read by geo.Open).
func parsePostcodeFile(file string, data []byte) ([]geo.PostcodeRow, []geo.Issue, error) {
	var issues []geo.Issue
	k := detect(data)
	if k == kindPostcodes {
		rows, iss := geo.ReadPostcodes(file, data)
		return rows, iss, nil
	}
	header, recs, err := postcodeRecords(file, data, k, &issues)
	if err != nil {
		return nil, issues, err
	}
	lay, ok := postcodeColumns(file, header, k, &issues)
	if !ok {
		return nil, issues, nil
	}
	type key struct{ pc, name string }
	seen := make(map[key]bool)
	out := make([]geo.PostcodeRow, 0, len(recs))
	for _, r := range recs {
		rc := sheet.Check{File: file, Line: r.Line, Issues: &issues}
		pc, pt, ok := lay.row(&rc, r, len(header))
		if !ok {
			continue
		}
		for _, nc := range lay.nameCols {
			name := geo.TitleName(lay.get(r, nc))
			if name == "" {
				continue
			}
			kk := key{pc, geo.FoldName(name)}
			if seen[kk] {
				continue
			}
			seen[kk] = true
			row := geo.PostcodeRow{Country: lay.country, Postcode: pc, Name: name, Point: pt}
			if lay.areaCol != "" {
				row.Area = lay.get(r, lay.areaCol)
			}
			out = append(out, row)
		}
	}
	return out, issues, nil
}

// postcodeRecords reads the rows of a postcode source of kind k.
func postcodeRecords(file string, data []byte, k kind, issues *[]geo.Issue) ([]string, []sheet.Record, error) {
	var (
		header []string
		recs   []sheet.Record
	)
	switch k {
	case kindGeoNamesTSV:
		// No header: prepend the documented column names.
		header = []string{"country", "postcode", "place_name", "region", "region_code", "province",
			"province_code", "arrondissement", "arrondissement_nis", "lat", "lon", "accuracy"}
		data = append([]byte(strings.Join(header, "\t")+"\n"), data...)
		_, recs = sheet.ReadCSV(file, data, '\t', issues)
		for i := range recs {
			recs[i].Line-- // the added header is not in the file
		}
	case kindLaPoste:
		first, _, _ := bytes.Cut(data, []byte("\n"))
		comma := ','
		if bytes.Contains(first, []byte(";")) {
			comma = ';'
		}
		header, recs = sheet.ReadCSV(file, data, comma, issues)
	case kindGeoNamesCSV:
		header, recs = sheet.ReadCSV(file, data, ',', issues)
	default:
		return nil, nil, fmt.Errorf("%s: not a postcode file", file)
	}
	return header, recs, nil
}

// postcodeLayout is where a postcode source keeps what a row needs.
type postcodeLayout struct {
	k        kind
	cols     map[string]int
	country  geo.Country
	areaCol  string
	pcCol    string
	nameCols []string
	latCol   string
	lonCol   string
	gpsCol   string // La Poste: "lat, lon" in one column
}

// postcodeColumns finds the columns of a source of kind k; false when a
// required one is missing (reported in issues).
func postcodeColumns(file string, header []string, k kind, issues *[]geo.Issue) (postcodeLayout, bool) {
	l := postcodeLayout{k: k}
	var ok bool
	switch k {
	case kindGeoNamesTSV, kindGeoNamesCSV:
		l.cols, ok = sheet.Columns(file, header, []string{"postcode", "place_name", "lat", "lon"}, issues)
		l.country, l.pcCol, l.nameCols, l.latCol, l.lonCol = geo.BE, "postcode", []string{"place_name"}, "lat", "lon"
		l.areaCol = "arrondissement_nis"
	case kindLaPoste:
		if len(header) > 0 && header[0] == "code_commune_insee" {
			l.cols, ok = sheet.Columns(file, header, []string{"code_commune_insee", "nom_commune", "code_postal", "ligne_5", "libellé_d_acheminement", "coordonnees_gps"}, issues)
			l.nameCols, l.gpsCol = []string{"libellé_d_acheminement", "nom_commune", "ligne_5"}, "coordonnees_gps"
		} else {
			l.cols, ok = sheet.Columns(file, header, []string{"code_postal", "code_insee", "nom_commune", "ligne_5", "libelle_acheminement", "lat", "lon"}, issues)
			l.nameCols, l.latCol, l.lonCol = []string{"libelle_acheminement", "nom_commune", "ligne_5"}, "lat", "lon"
		}
		l.country, l.pcCol = geo.FR, "code_postal"
	}
	return l, ok
}

func (l *postcodeLayout) get(r sheet.Record, c string) string {
	i, has := l.cols[c]
	if !has || i >= len(r.Fields) {
		return ""
	}
	return strings.TrimSpace(r.Fields[i])
}

// row checks one record and returns its postcode and point; false skips
// it (reported, except Monaco's rows).
func (l *postcodeLayout) row(rc *sheet.Check, r sheet.Record, width int) (string, geo.Point, bool) {
	if len(r.Fields) != width && l.k != kindGeoNamesTSV {
		rc.Errf("", "has %d fields, the header has %d", len(r.Fields), width)
		return "", geo.Point{}, false
	}
	if l.k == kindGeoNamesTSV && len(r.Fields) < 11 {
		rc.Errf("", "has %d fields, want 12", len(r.Fields))
		return "", geo.Point{}, false
	}
	for _, f := range r.Fields {
		if !utf8.ValidString(f) {
			rc.Errf("", "not valid UTF-8: save the file as UTF-8")
			return "", geo.Point{}, false
		}
	}
	c := l.country
	if l.k == kindLaPoste && strings.HasPrefix(l.get(r, "code_insee")+l.get(r, "code_commune_insee"), "99") {
		return "", geo.Point{}, false // Monaco (INSEE 99138) is in La Poste's file but is not France
	}
	pc := l.get(r, l.pcCol)
	if got, ok := geo.CountryOf(pc); !ok || got != c {
		rc.Errf(l.pcCol, "postcode %q is not a %s postcode", pc, c)
		return "", geo.Point{}, false
	}
	var pt geo.Point
	var err1, err2 error
	if l.gpsCol != "" {
		lat, lon, _ := strings.Cut(l.get(r, l.gpsCol), ",")
		pt.Lat, err1 = strconv.ParseFloat(strings.TrimSpace(lat), 64)
		pt.Lon, err2 = strconv.ParseFloat(strings.TrimSpace(lon), 64)
	} else {
		pt.Lat, err1 = strconv.ParseFloat(l.get(r, l.latCol), 64)
		pt.Lon, err2 = strconv.ParseFloat(l.get(r, l.lonCol), 64)
	}
	if err1 != nil || err2 != nil || !pt.Valid() {
		rc.Warnf("lat/lon", "no valid coordinates; postcode %s row skipped", pc)
		return "", geo.Point{}, false
	}
	return pc, pt, true
}

// jsonRows reads a standard JSON file: an array of objects whose keys are
// the CSV column names. Values may be strings, numbers, booleans, null or
// arrays of strings (joined with "|").
func jsonRows(file string, data []byte, issues *[]geo.Issue) []map[string]string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n")) }
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		*issues = append(*issues, geo.Issue{File: file, Line: 1, Msg: "JSON must be an array of places", Key: "JSON must be an array of places"})
		return nil
	}
	var out []map[string]string
	for dec.More() {
		off := dec.InputOffset()
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			*issues = append(*issues, geo.Issue{File: file, Line: lineAt(off), Msg: "malformed JSON: " + err.Error(), Key: "malformed JSON"})
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

// Keys that no column can have, for what a JSON row carries besides values.
const (
	lineKey    = "\x00line"
	badUTF8Key = "\x00utf8"
)
