package geo

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/secours/secours/geo/internal/sheet"
)

// Dataset keys of the shipped sources.
const (
	SourceFranceServices = "france-services"
	SourceOCMW           = "ocmw-vlaanderen"
)

// standardColumns are the 32 columns of schema v1.0.2, in schema order.
func standardColumns() []string {
	return []string{"id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse",
		"complement_adresse", "latitude", "longitude", "typologie", "telephone", "courriels",
		"site_web", "horaires", "presentation_resume", "presentation_detail", "source",
		"itinerance", "structure_parente", "date_maj", "services", "publics_specifiquement_adresses",
		"prise_en_charge_specifique", "frais_a_charge", "dispositif_programmes_nationaux",
		"formations_labels", "autres_formations_labels", "modalites_acces",
		"modalites_accompagnement", "fiche_acces_libre", "prise_rdv"}
}

// Our added columns. langues is for networks (template); the others are
// written only in the shipped file, to keep what the import derived.
const (
	colLangs     = "langues"
	colDataset   = "source_donnees"
	colTagSource = "origine_services"
	colCommune   = "commune_seule"
	colApprox    = "coordonnees_approx"
	colNIS       = "nis"        // Belgian commune (2025) a commune-only place serves
	colNoPoint   = "sans_point" // oui: the point is the commune seat, not an address
)

func extraColumns() []string {
	return []string{colLangs, colDataset, colTagSource, colCommune, colApprox, colNIS, colNoPoint}
}

// parsePlaceFile reads any of the place formats. d supplies postcodes to

// csvRow is one row of a standard CSV file, split into named values: the
// part of parsing that needs no postcode table, so OpenDir can do it while
// the postcodes load.
type csvRow struct {
	line int
	v    map[string]string
}

// splitStandardCSV reads a standard CSV file into rows; nil if its header
// lacks a required column (reported in issues).
func splitStandardCSV(file string, data []byte, issues *[]Issue) []csvRow {
	header, recs := sheet.ReadCSV(file, data, ',', issues)
	if _, ok := sheet.Columns(file, header, []string{"id", "nom", "commune", "code_postal", "adresse"}, issues); !ok {
		return nil
	}
	warnMissingColumns(file, header, issues)
	rows := make([]csvRow, 0, len(recs))
	for _, rec := range recs {
		rc := sheet.Check{File: file, Line: rec.Line, Issues: issues}
		if v := sheet.RowValues(&rc, header, rec); v != nil {
			rows = append(rows, csvRow{line: rec.Line, v: v})
		}
	}
	return rows
}

// standardPlaces checks split rows against the directory's postcodes and
// builds the places; issues collects what is wrong.
func standardPlaces(file string, rows []csvRow, d *Directory, issues *[]Issue) []*Place {
	var out []*Place
	ids := make(map[string]int, len(rows))
	for _, r := range rows {
		rc := sheet.Check{File: file, Line: r.line, Issues: issues}
		if p := standardPlace(&rc, r.v, file, d, ids); p != nil && !rc.Rejected {
			out = append(out, p)
		}
	}
	return out
}

func warnMissingColumns(file string, header []string, issues *[]Issue) {
	has := make(map[string]bool)
	for _, h := range header {
		has[h] = true
	}
	var missing []string
	for _, c := range standardColumns() {
		if !has[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		*issues = append(*issues, Issue{File: file, Line: 1, Field: "header",
			Msg: "missing optional columns (read as empty): " + strings.Join(missing, ", "), Warning: true})
	}
	known := make(map[string]bool)
	for _, c := range append(standardColumns(), extraColumns()...) {
		known[c] = true
	}
	for _, h := range header {
		if !known[h] {
			*issues = append(*issues, Issue{File: file, Line: 1, Field: h, Msg: "unknown column, ignored", Warning: true})
		}
	}
}

// SourceKey turns a file name into a dataset key: "lieux-bruxelles.csv"
// → "lieux-bruxelles". Re-importing a file replaces its places.
func SourceKey(file string) string {
	base := strings.ToLower(path.Base(strings.ReplaceAll(file, "\\", "/")))
	for _, ext := range []string{".gz", ".csv", ".json"} {
		base = strings.TrimSuffix(base, ext)
	}
	var b strings.Builder
	for _, r := range normName(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "lieux"
	}
	return b.String()
}

// standardPlace reads one row of the standard form: a source's (checked
// against the postcodes of d) or our shipped file's (checked at import).
func standardPlace(rc *sheet.Check, v map[string]string, file string, d *Directory, ids map[string]int) *Place {
	p := &Place{TagSource: TagStructure}
	shipped := v[colDataset] != ""
	if !standardIdentity(rc, p, v, file, ids, shipped) {
		return nil
	}
	p.Pivot = v["pivot"]
	p.Updated = v["date_maj"]
	if !shipped {
		// Pivot and date of our file were reported at import; FS and OCMW have none.
		warnProvenance(rc, p)
	}
	approx := v[colApprox] == "oui"
	if shipped {
		if !shippedCoords(rc, p, v["latitude"], v["longitude"]) {
			return nil
		}
	} else if !placeCoords(rc, p, v["latitude"], v["longitude"], d) {
		return nil
	}
	p.Approx = p.Approx || approx
	standardDetails(rc, p, v, shipped)
	return p
}

// standardIdentity reads the id, names, address and postcode; false when
// the row is rejected.
func standardIdentity(rc *sheet.Check, p *Place, v map[string]string, file string, ids map[string]int, shipped bool) bool {
	id := v["id"]
	rc.ID("id", id, ids)
	if shipped {
		// Our own normalised file: ids are prefixed and the checks that
		// need the whole postcode table were done at import (Validate
		// redoes them for "places check").
		p.Source, p.ID = v[colDataset], id
	} else {
		p.Source = SourceKey(file)
		p.ID = p.Source + "/" + id
	}
	p.Name = sheet.Required(rc, v, "nom")
	p.Commune = sheet.Required(rc, v, "commune")
	// Our CPAS cards have no street: no source gives one (NoPoint).
	p.NoPoint = shipped && v[colNoPoint] == "oui"
	if p.NoPoint {
		p.Address = sheet.JoinNonEmpty(", ", v["adresse"], v["complement_adresse"])
	} else {
		p.Address = sheet.JoinNonEmpty(", ", sheet.Required(rc, v, "adresse"), v["complement_adresse"])
	}
	p.Postcode = v["code_postal"]
	c, ok := countryOf(p.Postcode)
	switch {
	case p.Postcode == "":
		rc.Errf("code_postal", "required")
	case !ok:
		rc.Errf("code_postal", "%q is neither a Belgian (4 digits) nor a French (5 digits) postcode", p.Postcode)
	}
	p.Country = c
	if ins := v["code_insee"]; ins != "" {
		if c == BE {
			rc.Warnf("code_insee", "ignored for a Belgian place")
		} else if !isINSEE(ins) {
			rc.Warnf("code_insee", "%q is not an INSEE code; ignored", ins)
		}
	}
	return !rc.Rejected
}

// warnProvenance warns about a missing or malformed pivot and date.
func warnProvenance(rc *sheet.Check, p *Place) {
	if p.Pivot == "" {
		rc.Warnf("pivot", "missing (SIRET/RNA in France, KBO/BCE number in Belgium)")
	} else if !isPivot(p.Pivot) {
		rc.Warnf("pivot", "%q is not a SIRET, RNA or KBO number", p.Pivot)
	}
	if p.Updated == "" {
		rc.Warnf("date_maj", "missing")
	} else if !isDate(p.Updated) {
		rc.Warnf("date_maj", "%q is not YYYY-MM-DD", p.Updated)
	}
}

// standardDetails reads the contacts, hours and vocabularies of a row.
func standardDetails(rc *sheet.Check, p *Place, v map[string]string, shipped bool) {
	c := p.Country
	p.Phone = sheet.Phone(rc, "telephone", v["telephone"], string(c))
	p.Email = sheet.FirstEmail(rc, "courriels", v["courriels"])
	p.Website = sheet.FirstURL(rc, "site_web", v["site_web"])
	p.Booking = sheet.FirstURL(rc, "prise_rdv", v["prise_rdv"])
	setHours(rc, p, "horaires", v["horaires"])
	p.Summary = v["presentation_resume"]
	if n := utf8.RuneCountInString(p.Summary); n > 280 && !shipped {
		rc.Warnf("presentation_resume", "%d characters, the standard allows 280", n)
	}
	p.Services = serviceList(rc, v["services"])
	if len(p.Services) == 0 {
		rc.Warnf("services", "no service: this place can never be matched")
	}
	p.Modalities = vocabList(rc, "modalites_accompagnement", v["modalites_accompagnement"], vocabModalities())
	p.SpecificCare = vocabList(rc, "prise_en_charge_specifique", v["prise_en_charge_specifique"], vocabCare())
	p.Programmes = vocabList(rc, "dispositif_programmes_nationaux", v["dispositif_programmes_nationaux"], vocabProgrammes())
	p.Labels = vocabList(rc, "formations_labels", v["formations_labels"], vocabLabels())
	p.Access = vocabList(rc, "modalites_acces", v["modalites_acces"], vocabAccess())
	p.Publics = vocabList(rc, "publics_specifiquement_adresses", v["publics_specifiquement_adresses"], vocabPublics())
	p.Fees = vocabList(rc, "frais_a_charge", v["frais_a_charge"], vocabFees())
	p.Typologie = sheet.SplitList(v["typologie"])
	p.Langs = vocabList(rc, colLangs, strings.ToLower(v[colLangs]), vocabLangs())
	if len(p.Langs) == 0 && c == FR {
		p.Langs = []string{"fr"} // a French place serves French; Belgian ones must say
	}
	if ts := v[colTagSource]; ts != "" {
		p.TagSource = ts
	}
	p.CommuneOnly = v[colCommune] == "oui" || slices.Contains(p.Programmes, ProgrammeCPAS)
	if nis := v[colNIS]; nis != "" {
		if c == BE && isNIS(nis) {
			p.NIS = nis
		} else {
			rc.Warnf(colNIS, "%q is not a Belgian NIS code; ignored", nis)
		}
	}
}

// placeCoords sets p.Point from the columns, or from the postcode centroid
// (Approx) when they are empty. It rejects the row when neither works.
func placeCoords(rc *sheet.Check, p *Place, lat, lon string, d *Directory) bool {
	pc := d.byPostcode[p.Postcode]
	if pc == nil && len(d.byPostcode) > 0 {
		rc.Warnf("code_postal", "%s is not in the postcode table", p.Postcode)
	}
	if lat == "" && lon == "" {
		if pc == nil {
			rc.Errf("latitude", "no coordinates and an unknown postcode: the place cannot be located")
			return false
		}
		p.Point, p.Approx = pc.centre, true
		rc.Warnf("latitude", "no coordinates: the postcode centroid is used (distance approximate)")
		return true
	}
	la, err1 := strconv.ParseFloat(strings.ReplaceAll(lat, ",", "."), 64)
	lo, err2 := strconv.ParseFloat(strings.ReplaceAll(lon, ",", "."), 64)
	pt := Point{la, lo}
	if err1 != nil || err2 != nil || !pt.valid() {
		rc.Errf("latitude/longitude", "bad coordinates %q, %q", lat, lon)
		return false
	}
	if len(d.pcs) > 0 {
		loc, err := d.LocatePoint(pt)
		if err != nil {
			rc.Errf("latitude/longitude", "%v, %v is more than %d km from every known postcode: in the sea, outside Belgium and France, or latitude and longitude swapped", la, lo, outsideKM)
			return false
		}
		if loc.Country != p.Country {
			rc.Warnf("latitude/longitude", "the point is in %s but the postcode is %s", loc.Country, p.Country)
		}
		if pc != nil {
			if km := Distance(pt, pc.centre); km > 50 {
				rc.Warnf("latitude/longitude", "the point is %.0f km from postcode %s", km, p.Postcode)
			}
		}
	}
	p.Point = pt
	return true
}

// shippedCoords reads the coordinates of our own file, which always has them.
func shippedCoords(rc *sheet.Check, p *Place, lat, lon string) bool {
	la, err1 := strconv.ParseFloat(lat, 64)
	lo, err2 := strconv.ParseFloat(lon, 64)
	p.Point = Point{la, lo}
	if err1 != nil || err2 != nil || !p.Point.valid() {
		rc.Errf("latitude/longitude", "bad coordinates %q, %q", lat, lon)
		return false
	}
	return true
}

func vocabList(rc *sheet.Check, col, s string, vocab []string) []string {
	var out []string
	for _, v := range sheet.SplitList(s) {
		if slices.Contains(vocab, v) {
			out = append(out, v)
			continue
		}
		rc.Warnf(col, "unknown value %q dropped", v)
	}
	return out
}

func serviceList(rc *sheet.Check, s string) []string {
	var out []string
	for _, v := range sheet.SplitList(s) {
		switch m, legacy := legacyService(v); {
		case slices.Contains(vocabServices(), v):
		case legacy:
			rc.Warnf("services", "v0.1 value %q read as %q (docs/diagnostic.md D.4)", v, m)
			v = m
		default:
			rc.Warnf("services", "unknown value %q dropped", v)
			continue
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func setHours(rc *sheet.Check, p *Place, col, raw string) {
	p.Hours = raw
	if raw == "" {
		return
	}
	w, err := ParseHours(raw)
	if err != nil {
		rc.Warnf(col, "%v; the raw text is shown as is", err)
		return
	}
	p.sched = &w
}

// dedupe keeps the first place of each ID.
func dedupe(places []*Place) ([]*Place, []Issue) {
	var issues []Issue
	seen := make(map[string]bool, len(places))
	out := places[:0]
	for _, p := range places {
		if seen[p.ID] {
			issues = append(issues, Issue{File: p.Source, Field: "id", Msg: fmt.Sprintf("duplicated id %q across files; the first is kept", p.ID)})
			continue
		}
		seen[p.ID] = true
		out = append(out, p)
	}
	return out, issues
}

// round6 keeps 0.1 m: enough, and it keeps the shipped file small.
func round6(f float64) string { return strconv.FormatFloat(math.Round(f*1e6)/1e6, 'f', -1, 64) }

// isINSEE is the schema's pattern ^([013-9]\d|2[AB1-9])\d{3}$.
func isINSEE(s string) bool {
	if len(s) != 5 || !allDigits(s[2:]) {
		return false
	}
	if s[0] == '2' {
		return s[1] == 'A' || s[1] == 'B' || s[1] >= '1' && s[1] <= '9'
	}
	return allDigits(s[:2])
}

// isPivot is the schema's pattern ^[a-zA-Z0-9]{9,14}$.
func isPivot(s string) bool {
	if len(s) < 9 || len(s) > 14 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// isDate checks YYYY-MM-DD.
func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
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

// parseShippedPostcodes reads our own postcodes.tsv: tab-separated with no
// quoting, so a hand-written split is several times faster than
// encoding/csv, and this file is most of the directory's load time.
func parseShippedPostcodes(file string, data []byte) ([]PostcodeRow, []Issue, error) {
	var issues []Issue
	out := make([]PostcodeRow, 0, bytes.Count(data, []byte("\n")))
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
		out = append(out, PostcodeRow{Country: c, Postcode: f[1], Name: f[2], Point: pt})
	}
	return out, issues, nil
}

// parseShippedPostcodes reads our own postcodes.tsv: tab-separated with no
// quoting, so a hand-written split is several times faster than

// ShippedHeader is the header of the shipped places.csv.gz: the
// standard's columns, then ours.
func ShippedHeader() []string { return append(standardColumns(), extraColumns()...) }

// ShippedRecord is p as a row of the shipped file, in ShippedHeader's
// order: what standardPlace reads back.
func ShippedRecord(p *Place) []string {
	v := map[string]string{
		"id": p.ID, "pivot": p.Pivot, "nom": p.Name, "commune": p.Commune, "code_postal": p.Postcode,
		"adresse": p.Address, "latitude": round6(p.Point.Lat), "longitude": round6(p.Point.Lon),
		"typologie": strings.Join(p.Typologie, "|"), "telephone": p.Phone, "courriels": p.Email,
		"site_web": p.Website, "horaires": p.Hours, "presentation_resume": p.Summary,
		"date_maj": p.Updated, "services": strings.Join(p.Services, "|"),
		"publics_specifiquement_adresses": strings.Join(p.Publics, "|"),
		"prise_en_charge_specifique":      strings.Join(p.SpecificCare, "|"),
		"frais_a_charge":                  strings.Join(p.Fees, "|"),
		"dispositif_programmes_nationaux": strings.Join(p.Programmes, "|"),
		"formations_labels":               strings.Join(p.Labels, "|"),
		"modalites_acces":                 strings.Join(p.Access, "|"),
		"modalites_accompagnement":        strings.Join(p.Modalities, "|"),
		"prise_rdv":                       p.Booking,
		colLangs:                          strings.Join(p.Langs, "|"),
		colDataset:                        p.Source,
		colTagSource:                      p.TagSource,
		colCommune:                        yes(p.CommuneOnly),
		colApprox:                         yes(p.Approx),
		colNIS:                            p.NIS,
		colNoPoint:                        yes(p.NoPoint),
	}
	header := ShippedHeader()
	rec := make([]string, len(header))
	for i, h := range header {
		rec[i] = v[h]
	}
	return rec
}

func yes(b bool) string {
	if b {
		return "oui"
	}
	return ""
}
