package geo

import (
	"fmt"
	"maps"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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
// check and geocode against; it may hold none.
func parsePlaceFile(file string, data []byte, d *Directory) ([]*Place, []Issue, error) {
	var issues []Issue
	var out []*Place
	k := detect(data)
	switch k {
	case kindStandardCSV:
		rows := splitStandardCSV(file, data, &issues)
		out := standardPlaces(file, rows, d, &issues)
		return out, issues, nil
	case kindStandardJSON:
		rows := jsonRows(file, data, &issues)
		ids := make(map[string]int)
		for i, v := range rows {
			line, _ := strconv.Atoi(v[lineKey])
			rc := rowCheck{file: file, line: line, issues: &issues}
			if i == 0 {
				for _, c := range []string{"id", "nom", "commune", "code_postal", "adresse"} {
					if _, ok := v[c]; !ok {
						rc.warnf(c, "missing in the first object: every object should have the standard's keys")
					}
				}
			}
			if f, bad := v[badUTF8Key]; bad {
				rc.errf(f, "not valid UTF-8: save the file as UTF-8")
				continue
			}
			if p := standardPlace(&rc, v, file, d, ids); p != nil && !rc.rejected {
				out = append(out, p)
			}
		}
	case kindFranceServ:
		header, recs := readCSV(file, data, ',', &issues)
		req := []string{"id_fs", "lib_fs", "adresse", "complement_adresse", "code_postal", "lib_com", "latitude",
			"longitude", "mail", "telephone", "h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi"}
		if _, ok := columns(file, header, req, &issues); !ok {
			return nil, issues, nil
		}
		updated := ""
		if m := regexp.MustCompile(`(\d{4})(\d{2})(\d{2})`).FindStringSubmatch(path.Base(file)); m != nil {
			updated = m[1] + "-" + m[2] + "-" + m[3]
		}
		ids := make(map[string]int)
		for _, rec := range recs {
			rc := rowCheck{file: file, line: rec.line, issues: &issues}
			v := rowValues(&rc, header, rec)
			if v == nil {
				continue
			}
			if p := franceServicesPlace(&rc, v, d, ids, updated); p != nil && !rc.rejected {
				out = append(out, p)
			}
		}
	case kindOCMW:
		header, recs := readCSV(file, data, ',', &issues)
		req := []string{"unit_type", "name", "ovo_code", "kbo_number", "street", "housenumber", "box",
			"postcode", "municipality", "approx_lat", "approx_lon"}
		if _, ok := columns(file, header, req, &issues); !ok {
			return nil, issues, nil
		}
		ids := make(map[string]int)
		for _, rec := range recs {
			rc := rowCheck{file: file, line: rec.line, issues: &issues}
			v := rowValues(&rc, header, rec)
			if v == nil || v["unit_type"] != "ocmw" {
				continue // gemeente and provincie rows are not help desks
			}
			if p := ocmwPlace(&rc, v, d, ids); p != nil && !rc.rejected {
				out = append(out, p)
			}
		}
	default:
		return nil, issues, fmt.Errorf("%s: unknown format (want the standard's CSV or JSON, the France services list, or a postcode file)", file)
	}
	return out, issues, nil
}

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
	header, recs := readCSV(file, data, ',', issues)
	if _, ok := columns(file, header, []string{"id", "nom", "commune", "code_postal", "adresse"}, issues); !ok {
		return nil
	}
	warnMissingColumns(file, header, issues)
	rows := make([]csvRow, 0, len(recs))
	for _, rec := range recs {
		rc := rowCheck{file: file, line: rec.line, issues: issues}
		if v := rowValues(&rc, header, rec); v != nil {
			rows = append(rows, csvRow{line: rec.line, v: v})
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
		rc := rowCheck{file: file, line: r.line, issues: issues}
		if p := standardPlace(&rc, r.v, file, d, ids); p != nil && !rc.rejected {
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

// sourceKey turns a file name into a dataset key: "lieux-bruxelles.csv"
// → "lieux-bruxelles". Re-importing a file replaces its places.
func sourceKey(file string) string {
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

func standardPlace(rc *rowCheck, v map[string]string, file string, d *Directory, ids map[string]int) *Place {
	p := &Place{TagSource: TagStructure}
	id := v["id"]
	if id == "" {
		rc.errf("id", "required")
	} else if first, dup := ids[id]; dup {
		rc.errf("id", "duplicated id %q (first on line %d)", id, first)
	} else {
		ids[id] = rc.line
	}
	shipped := v[colDataset] != ""
	if shipped {
		// Our own normalised file: ids are prefixed and the checks that
		// need the whole postcode table were done at import (Validate
		// redoes them for "places check").
		p.Source, p.ID = v[colDataset], id
	} else {
		p.Source = sourceKey(file)
		p.ID = p.Source + "/" + id
	}
	p.Name = required(rc, v, "nom")
	p.Commune = required(rc, v, "commune")
	// Our CPAS cards have no street: no source gives one (NoPoint).
	p.NoPoint = shipped && v[colNoPoint] == "oui"
	if p.NoPoint {
		p.Address = joinNonEmpty(", ", v["adresse"], v["complement_adresse"])
	} else {
		p.Address = joinNonEmpty(", ", required(rc, v, "adresse"), v["complement_adresse"])
	}
	p.Postcode = v["code_postal"]
	c, ok := countryOf(p.Postcode)
	switch {
	case p.Postcode == "":
		rc.errf("code_postal", "required")
	case !ok:
		rc.errf("code_postal", "%q is neither a Belgian (4 digits) nor a French (5 digits) postcode", p.Postcode)
	}
	p.Country = c
	if ins := v["code_insee"]; ins != "" {
		if c == BE {
			rc.warnf("code_insee", "ignored for a Belgian place")
		} else if !isINSEE(ins) {
			rc.warnf("code_insee", "%q is not an INSEE code; ignored", ins)
		}
	}
	if rc.rejected {
		return nil
	}
	p.Pivot = v["pivot"]
	p.Updated = v["date_maj"]
	if shipped {
		// Pivot and date were reported at import; FS and OCMW have none.
	} else if p.Pivot == "" {
		rc.warnf("pivot", "missing (SIRET/RNA in France, KBO/BCE number in Belgium)")
	} else if !isPivot(p.Pivot) {
		rc.warnf("pivot", "%q is not a SIRET, RNA or KBO number", p.Pivot)
	}
	if shipped {
	} else if p.Updated == "" {
		rc.warnf("date_maj", "missing")
	} else if !isDate(p.Updated) {
		rc.warnf("date_maj", "%q is not YYYY-MM-DD", p.Updated)
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
	p.Phone = phone(rc, "telephone", v["telephone"], c)
	p.Email = firstEmail(rc, "courriels", v["courriels"])
	p.Website = firstURL(rc, "site_web", v["site_web"])
	p.Booking = firstURL(rc, "prise_rdv", v["prise_rdv"])
	setHours(rc, p, "horaires", v["horaires"])
	p.Summary = v["presentation_resume"]
	if n := utf8.RuneCountInString(p.Summary); n > 280 && !shipped {
		rc.warnf("presentation_resume", "%d characters, the standard allows 280", n)
	}
	p.Services = serviceList(rc, v["services"])
	if len(p.Services) == 0 {
		rc.warnf("services", "no service: this place can never be matched")
	}
	p.Modalities = vocabList(rc, "modalites_accompagnement", v["modalites_accompagnement"], vocabModalities())
	p.SpecificCare = vocabList(rc, "prise_en_charge_specifique", v["prise_en_charge_specifique"], vocabCare())
	p.Programmes = vocabList(rc, "dispositif_programmes_nationaux", v["dispositif_programmes_nationaux"], vocabProgrammes())
	p.Labels = vocabList(rc, "formations_labels", v["formations_labels"], vocabLabels())
	p.Access = vocabList(rc, "modalites_acces", v["modalites_acces"], vocabAccess())
	p.Publics = vocabList(rc, "publics_specifiquement_adresses", v["publics_specifiquement_adresses"], vocabPublics())
	p.Fees = vocabList(rc, "frais_a_charge", v["frais_a_charge"], vocabFees())
	p.Typologie = splitList(v["typologie"])
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
			rc.warnf(colNIS, "%q is not a Belgian NIS code; ignored", nis)
		}
	}
	return p
}

func required(rc *rowCheck, v map[string]string, col string) string {
	s := v[col]
	if s == "" {
		rc.errf(col, "required")
	}
	return s
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// placeCoords sets p.Point from the columns, or from the postcode centroid
// (Approx) when they are empty. It rejects the row when neither works.
func placeCoords(rc *rowCheck, p *Place, lat, lon string, d *Directory) bool {
	pc := d.byPostcode[p.Postcode]
	if pc == nil && len(d.byPostcode) > 0 {
		rc.warnf("code_postal", "%s is not in the postcode table", p.Postcode)
	}
	if lat == "" && lon == "" {
		if pc == nil {
			rc.errf("latitude", "no coordinates and an unknown postcode: the place cannot be located")
			return false
		}
		p.Point, p.Approx = pc.centre, true
		rc.warnf("latitude", "no coordinates: the postcode centroid is used (distance approximate)")
		return true
	}
	la, err1 := strconv.ParseFloat(strings.ReplaceAll(lat, ",", "."), 64)
	lo, err2 := strconv.ParseFloat(strings.ReplaceAll(lon, ",", "."), 64)
	pt := Point{la, lo}
	if err1 != nil || err2 != nil || !pt.valid() {
		rc.errf("latitude/longitude", "bad coordinates %q, %q", lat, lon)
		return false
	}
	if len(d.pcs) > 0 {
		loc, err := d.LocatePoint(pt)
		if err != nil {
			rc.errf("latitude/longitude", "%v, %v is more than %d km from every known postcode: in the sea, outside Belgium and France, or latitude and longitude swapped", la, lo, outsideKM)
			return false
		}
		if loc.Country != p.Country {
			rc.warnf("latitude/longitude", "the point is in %s but the postcode is %s", loc.Country, p.Country)
		}
		if pc != nil {
			if km := Distance(pt, pc.centre); km > 50 {
				rc.warnf("latitude/longitude", "the point is %.0f km from postcode %s", km, p.Postcode)
			}
		}
	}
	p.Point = pt
	return true
}

// shippedCoords reads the coordinates of our own file, which always has them.
func shippedCoords(rc *rowCheck, p *Place, lat, lon string) bool {
	la, err1 := strconv.ParseFloat(lat, 64)
	lo, err2 := strconv.ParseFloat(lon, 64)
	p.Point = Point{la, lo}
	if err1 != nil || err2 != nil || !p.Point.valid() {
		rc.errf("latitude/longitude", "bad coordinates %q, %q", lat, lon)
		return false
	}
	return true
}

// Validate redoes on a loaded directory the checks that Open skips for
// speed: every place within 25 km of a known postcode, in the country of
// its postcode, and a known postcode. It returns Open's issues too.
func (d *Directory) Validate() []Issue {
	issues := d.Issues()
	for _, p := range d.places {
		add := func(field, format string, a ...any) {
			issues = append(issues, Issue{File: p.Source, Field: field, Msg: p.ID + ": " + fmt.Sprintf(format, a...)})
		}
		pc := d.byPostcode[p.Postcode]
		if pc == nil {
			// A warning, as at import: the France services list has INSEE
			// codes in a few postcode cells, and the point is still right.
			issues = append(issues, Issue{File: p.Source, Field: "code_postal", Warning: true,
				Msg: fmt.Sprintf("%s: postcode %s is not in the postcode table", p.ID, p.Postcode)})
		} else if pc.country != p.Country {
			add("code_postal", "postcode %s is in %s, the place in %s", p.Postcode, pc.country, p.Country)
		}
		if loc, err := d.LocatePoint(p.Point); err != nil {
			add("latitude/longitude", "more than %d km from every known postcode", outsideKM)
		} else if loc.Country != p.Country {
			issues = append(issues, Issue{File: p.Source, Field: "latitude/longitude", Warning: true,
				Msg: fmt.Sprintf("%s: the point is in %s, the postcode in %s", p.ID, loc.Country, p.Country)})
		}
	}
	return issues
}

func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, "|") {
		if part = strings.TrimSpace(part); part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}

func vocabList(rc *rowCheck, col, s string, vocab []string) []string {
	var out []string
	for _, v := range splitList(s) {
		if slices.Contains(vocab, v) {
			out = append(out, v)
			continue
		}
		rc.warnf(col, "unknown value %q dropped", v)
	}
	return out
}

func serviceList(rc *rowCheck, s string) []string {
	var out []string
	for _, v := range splitList(s) {
		switch m, legacy := legacyService(v); {
		case slices.Contains(vocabServices(), v):
		case legacy:
			rc.warnf("services", "v0.1 value %q read as %q (docs/diagnostic.md D.4)", v, m)
			v = m
		default:
			rc.warnf("services", "unknown value %q dropped", v)
			continue
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func setHours(rc *rowCheck, p *Place, col, raw string) {
	p.Hours = raw
	if raw == "" {
		return
	}
	w, err := ParseHours(raw)
	if err != nil {
		rc.warnf(col, "%v; the raw text is shown as is", err)
		return
	}
	p.sched = &w
}

// phone validates a number and returns its usual spaced display form
// (docs/diagnostic.md F.9): "04 50 56 87 49", "02 555 12 34", "0470 12 34 56".
// The standard wants "+33…" without spaces; we also accept national forms
// because the France services list and Belgian networks use them.
func phone(rc *rowCheck, col, s string, c Country) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '/' || r == '-' || r == '(' || r == ')':
		default:
			rc.warnf(col, "%q is not a phone number; dropped", s)
			return ""
		}
	}
	n := b.String()
	if strings.HasPrefix(n, "00") {
		n = "+" + n[2:]
	}
	switch {
	case strings.HasPrefix(n, "+33") && len(n) == 12:
		n, c = "0"+n[3:], FR
	case strings.HasPrefix(n, "+32") && (len(n) == 11 || len(n) == 12):
		n, c = "0"+n[3:], BE
	case strings.HasPrefix(n, "+") && len(n) >= 9 && len(n) <= 13:
		return n // overseas France prefixes (+590, +262…): keep as given
	}
	switch {
	case c == FR && len(n) == 10 && n[0] == '0':
		return n[0:2] + " " + n[2:4] + " " + n[4:6] + " " + n[6:8] + " " + n[8:10]
	case c == BE && len(n) == 10 && n[0] == '0' && n[1] == '4':
		return n[0:4] + " " + n[4:6] + " " + n[6:8] + " " + n[8:10]
	case c == BE && len(n) == 9 && n[0] == '0':
		if strings.ContainsRune("2349", rune(n[1])) {
			return n[0:2] + " " + n[2:5] + " " + n[5:7] + " " + n[7:9]
		}
		return n[0:3] + " " + n[3:5] + " " + n[5:7] + " " + n[7:9]
	}
	rc.warnf(col, "%q is not a %s phone number; dropped", s, c)
	return ""
}

func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(s, " ,;<>\"") &&
		!strings.Contains(domain, "@") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// firstEmail keeps the first valid address of a list; the France services
// list separates them with " - ", the standard with "|".
func firstEmail(rc *rowCheck, col, s string) string {
	if s == "" {
		return ""
	}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == ';' || r == ',' }) {
		for _, e := range strings.Split(part, " - ") {
			if e = strings.TrimSpace(e); validEmail(e) {
				return e
			}
		}
	}
	rc.warnf(col, "%q is not an e-mail address; dropped", s)
	return ""
}

func firstURL(rc *rowCheck, col, s string) string {
	for _, u := range splitList(s) {
		if (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.ContainsAny(u, " \t") {
			return u
		}
		rc.warnf(col, "%q is not an http(s) URL; dropped", u)
	}
	return ""
}

// franceServicesPlace reads one row of the ANCT list. Its services are not
// in the file: we tag what the France services label guarantees in every
// site — help with administrative procedures, one-to-one, by an agent, and
// free access to connected computers (so "En autonomie" too) — and record
// TagLabel so nobody mistakes it for the structure's own claim. Beginner
// courses are not part of the label, so they are not tagged.
func franceServicesPlace(rc *rowCheck, v map[string]string, d *Directory, ids map[string]int, updated string) *Place {
	p := &Place{
		Country:    FR,
		Source:     SourceFranceServices,
		TagSource:  TagLabel,
		Services:   []string{ServiceProcedures, ServiceAccess},
		Modalities: []string{ModeOneToOne, ModeAlone},
		Programmes: []string{ProgrammeFranceServices},
		Typologie:  []string{"RFS"},
		Langs:      []string{"fr"},
		Updated:    updated,
	}
	id := v["id_fs"]
	if id == "" {
		rc.errf("id_fs", "required")
	} else if first, dup := ids[id]; dup {
		rc.errf("id_fs", "duplicated id %q (first on line %d)", id, first)
	} else {
		ids[id] = rc.line
	}
	p.ID = SourceFranceServices + "/" + id
	p.Name = required(rc, v, "lib_fs")
	p.Address = joinNonEmpty(", ", required(rc, v, "adresse"), v["complement_adresse"])
	p.Commune = required(rc, v, "lib_com")
	p.Postcode = required(rc, v, "code_postal")
	if c, ok := countryOf(p.Postcode); p.Postcode != "" && (!ok || c != FR) {
		rc.errf("code_postal", "%q is not a French postcode", p.Postcode)
	}
	if rc.rejected {
		return nil
	}
	if !placeCoords(rc, p, v["latitude"], v["longitude"], d) {
		return nil
	}
	p.Phone = phone(rc, "telephone", v["telephone"], FR)
	p.Email = firstEmail(rc, "mail", v["mail"])
	p.Summary = v["commentaire"]
	// Six weekday columns → one week; any broken column keeps the raw text.
	var w Week
	var raw []string
	broken := false
	for i, col := range []string{"h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi"} {
		s := v[col]
		if s != "" && s != "-" {
			raw = append(raw, strings.TrimPrefix(col, "h_")+" "+s)
		}
		spans, err := parseDayColumn(s)
		if err != nil {
			rc.warnf(col, "%v; the raw text is shown as is", err)
			broken = true
			continue
		}
		w[i] = spans
	}
	switch {
	case broken:
		p.Hours = strings.Join(raw, " ; ")
	case !w.empty():
		w.normalise()
		p.Hours = w.String()
		p.sched = &w
	}
	return p
}

// ocmwPlace reads one OCMW seat. Its services come from its legal mission
// (social aid, including help with administrative procedures, one to one),
// recorded as TagLegalMission; it serves only its own commune, and its
// coordinates are a postcode centroid.
func ocmwPlace(rc *rowCheck, v map[string]string, d *Directory, ids map[string]int) *Place {
	p := &Place{
		Country:     BE,
		Source:      SourceOCMW,
		TagSource:   TagLegalMission,
		Services:    []string{ServiceProcedures},
		Modalities:  []string{ModeOneToOne},
		Programmes:  []string{ProgrammeCPAS},
		Langs:       []string{"nl"},
		CommuneOnly: true,
		Approx:      true,
		Pivot:       v["kbo_number"],
	}
	id := v["ovo_code"]
	if id == "" {
		id = v["kbo_number"]
	}
	if id == "" {
		rc.errf("ovo_code", "required")
	} else if first, dup := ids[id]; dup {
		rc.errf("ovo_code", "duplicated id %q (first on line %d)", id, first)
	} else {
		ids[id] = rc.line
	}
	p.ID = SourceOCMW + "/" + id
	p.Name = "OCMW " + required(rc, v, "name")
	street := required(rc, v, "street")
	p.Address = joinNonEmpty(" ", street, v["housenumber"])
	if b := v["box"]; b != "" {
		p.Address += " bus " + b
	}
	p.Commune = required(rc, v, "municipality")
	p.Postcode = required(rc, v, "postcode")
	if c, ok := countryOf(p.Postcode); p.Postcode != "" && (!ok || c != BE) {
		rc.errf("postcode", "%q is not a Belgian postcode", p.Postcode)
	}
	if rc.rejected {
		return nil
	}
	if !placeCoords(rc, p, v["approx_lat"], v["approx_lon"], d) {
		return nil
	}
	p.Approx = true
	return p
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

// SourceFile is one file given to Import.
type SourceFile struct {
	Name string
	Data []byte
}

// Import validates files in any supported format and merges them into
// base (nil: start empty). Postcode files replace their country's
// postcodes; place files replace the places of their dataset (the file
// name for the standard format); a commune file (communes-2025.csv,
// fusions-2025.tsv) replaces the Belgian communes. Bad place and postcode
// rows are left out and reported; the rest imports. A bad commune file is
// an error naming its file and line, and nothing is imported: a commune
// read wrong would send people to another commune's CPAS.
//
// Whenever communes are known, every Belgian locality is tied to its
// commune again (deriveLocalities) and every commune without a CPAS/OCMW
// place gets one (cpasPlaces), so an import is reproducible from its
// files alone.
func Import(base *Directory, files []SourceFile) (*Directory, []Issue, error) {
	var issues []Issue
	newPC := make(map[Country][]pcRow)
	var placeFiles, communeFiles []SourceFile
	for _, f := range files {
		k := detect(f.Data)
		switch {
		case k == kindUnknown:
			issues = append(issues, Issue{File: f.Name, Line: 1, Msg: "unknown format: want the standard's CSV or JSON, the France services list, the Flemish OCMW list, a postcode file or a commune file"})
			continue
		case k.communes():
			communeFiles = append(communeFiles, f)
			continue
		case !k.postcodes():
			placeFiles = append(placeFiles, f)
			continue
		}
		rows, iss, err := parsePostcodeFile(f.Name, f.Data)
		issues = append(issues, iss...)
		if err != nil {
			issues = append(issues, Issue{File: f.Name, Msg: err.Error()})
			continue
		}
		for _, r := range rows {
			newPC[r.country] = append(newPC[r.country], r)
		}
	}
	var pcs []pcRow
	if base != nil {
		for _, r := range base.pcs {
			if _, replaced := newPC[r.country]; !replaced {
				pcs = append(pcs, r)
			}
		}
	}
	for _, c := range slices.Sorted(maps.Keys(newPC)) {
		pcs = append(pcs, newPC[c]...)
	}
	d := newDirectory(nil, pcs)
	cs, best, err := importCommunes(base, communeFiles)
	if err != nil {
		return nil, issues, fmt.Errorf("import: %w", err)
	}
	if len(cs) > 0 {
		d.setCommunes(cs)
		d.best = best
		d.deriveLocalities(&issues)
	}

	replaced := make(map[string]bool)
	var places []*Place
	for _, f := range placeFiles {
		ps, iss, err := parsePlaceFile(f.Name, f.Data, d)
		issues = append(issues, iss...)
		if err != nil {
			issues = append(issues, Issue{File: f.Name, Msg: err.Error()})
			continue
		}
		switch detect(f.Data) {
		case kindFranceServ:
			replaced[SourceFranceServices] = true
		case kindOCMW:
			replaced[SourceOCMW] = true
		default:
			replaced[sourceKey(f.Name)] = true
		}
		for _, p := range ps {
			replaced[p.Source] = true
		}
		places = append(places, ps...)
	}
	if base != nil {
		var kept []*Place
		for _, p := range base.places {
			if !replaced[p.Source] {
				kept = append(kept, p)
			}
		}
		places = append(kept, places...)
	}
	if len(d.communes) > 0 {
		places = d.cpasPlaces(places, &issues)
	}
	places, iss := dedupe(places)
	issues = append(issues, iss...)
	d.setPlaces(places)
	return d, issues, nil
}

// importCommunes reads the commune files, or keeps base's communes and
// BeST table for those not given. The results are the caller's to change.
func importCommunes(base *Directory, files []SourceFile) ([]communeRec, map[string][]bestEntry, error) {
	var cs []communeRec
	var best map[string][]bestEntry
	if base != nil {
		for _, c := range base.communes {
			c.oldNames = slices.Clone(c.oldNames)
			cs = append(cs, c)
		}
		best = base.best
		if best == nil && base.bestData != nil {
			b, err := parseBeST(bestFile, base.bestData)
			if err != nil {
				return nil, nil, err
			}
			best = b
		}
	}
	var fus, de []SourceFile
	for _, f := range files {
		switch detect(f.Data) {
		case kindFusions:
			fus = append(fus, f)
		case kindNamesDE:
			de = append(de, f)
		case kindBeST:
			b, err := parseBeST(f.Name, f.Data)
			if err != nil {
				return nil, nil, err
			}
			best = b
		default:
			read, err := parseCommunes2025(f.Name, f.Data)
			if err != nil {
				return nil, nil, err
			}
			cs = read
		}
	}
	for _, f := range fus {
		if len(cs) == 0 {
			return nil, nil, fmt.Errorf("%s: the merged communes need the communes of 2025 (communes-2025.csv) in the same import", f.Name)
		}
		fs, err := parseFusions(f.Name, f.Data)
		if err != nil {
			return nil, nil, err
		}
		if err := applyFusions(f.Name, cs, fs); err != nil {
			return nil, nil, err
		}
	}
	for _, f := range de {
		if len(cs) == 0 {
			return nil, nil, fmt.Errorf("%s: German names need the communes of 2025 (communes-2025.csv) in the same import", f.Name)
		}
		if err := applyNamesDE(f.Name, f.Data, cs); err != nil {
			return nil, nil, err
		}
	}
	return cs, best, nil
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
