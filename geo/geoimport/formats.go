package geoimport

import (
	"fmt"
	"path"
	"regexp"
	"strconv"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/geo/internal/sheet"
)

// parsePlaceFile reads any of the place formats. d supplies postcodes to
// check and geocode against; it may hold none.
func parsePlaceFile(file string, data []byte, d *geo.Draft) ([]*geo.Place, []geo.Issue, error) {
	var issues []geo.Issue
	var out []*geo.Place
	k := detect(data)
	switch k {
	case kindStandardCSV:
		out, issues := d.StandardCSV(file, data)
		return out, issues, nil
	case kindStandardJSON:
		rows := jsonRows(file, data, &issues)
		ids := make(map[string]int)
		for i, v := range rows {
			line, _ := strconv.Atoi(v[lineKey])
			rc := sheet.Check{File: file, Line: line, Issues: &issues}
			if i == 0 {
				for _, c := range []string{"id", "nom", "commune", "code_postal", "adresse"} {
					if _, ok := v[c]; !ok {
						rc.Warnf(c, "missing in the first object: every object should have the standard's keys")
					}
				}
			}
			if f, bad := v[badUTF8Key]; bad {
				rc.Errf(f, "not valid UTF-8: save the file as UTF-8")
				continue
			}
			if p := d.StandardPlace(&rc, v, file, ids); p != nil && !rc.Rejected {
				out = append(out, p)
			}
		}
	case kindFranceServ:
		header, recs := sheet.ReadCSV(file, data, ',', &issues)
		req := []string{"id_fs", "lib_fs", "adresse", "complement_adresse", "code_postal", "lib_com", "latitude",
			"longitude", "mail", "telephone", "h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi"}
		if _, ok := sheet.Columns(file, header, req, &issues); !ok {
			return nil, issues, nil
		}
		updated := ""
		if m := regexp.MustCompile(`(\d{4})(\d{2})(\d{2})`).FindStringSubmatch(path.Base(file)); m != nil {
			updated = m[1] + "-" + m[2] + "-" + m[3]
		}
		ids := make(map[string]int)
		for _, rec := range recs {
			rc := sheet.Check{File: file, Line: rec.Line, Issues: &issues}
			v := sheet.RowValues(&rc, header, rec)
			if v == nil {
				continue
			}
			if p := franceServicesPlace(&rc, v, d, ids, updated); p != nil && !rc.Rejected {
				out = append(out, p)
			}
		}
	case kindOCMW:
		header, recs := sheet.ReadCSV(file, data, ',', &issues)
		req := []string{"unit_type", "name", "ovo_code", "kbo_number", "street", "housenumber", "box",
			"postcode", "municipality", "approx_lat", "approx_lon"}
		if _, ok := sheet.Columns(file, header, req, &issues); !ok {
			return nil, issues, nil
		}
		ids := make(map[string]int)
		for _, rec := range recs {
			rc := sheet.Check{File: file, Line: rec.Line, Issues: &issues}
			v := sheet.RowValues(&rc, header, rec)
			if v == nil || v["unit_type"] != "ocmw" {
				continue // gemeente and provincie rows are not help desks
			}
			if p := ocmwPlace(&rc, v, d, ids); p != nil && !rc.Rejected {
				out = append(out, p)
			}
		}
	default:
		return nil, issues, fmt.Errorf("%s: unknown format (want the standard's CSV or JSON, the France services list, or a postcode file)", file)
	}
	return out, issues, nil
}

// franceServicesPlace reads one row of the ANCT list. Its services are not
// in the file: we tag what the France services label guarantees in every
// site — help with administrative procedures, one-to-one, by an agent, and
// free access to connected computers (so "En autonomie" too) — and record
// geo.TagLabel so nobody mistakes it for the structure's own claim. Beginner
// courses are not part of the label, so they are not tagged.
func franceServicesPlace(rc *sheet.Check, v map[string]string, d *geo.Draft, ids map[string]int, updated string) *geo.Place {
	p := &geo.Place{
		Country:    geo.FR,
		Source:     geo.SourceFranceServices,
		TagSource:  geo.TagLabel,
		Services:   []string{geo.ServiceProcedures, geo.ServiceAccess},
		Modalities: []string{geo.ModeOneToOne, geo.ModeAlone},
		Programmes: []string{geo.ProgrammeFranceServices},
		Typologie:  []string{"RFS"},
		Langs:      []string{"fr"},
		Updated:    updated,
	}
	id := v["id_fs"]
	rc.ID("id_fs", id, ids)
	p.ID = geo.SourceFranceServices + "/" + id
	p.Name = sheet.Required(rc, v, "lib_fs")
	p.Address = sheet.JoinNonEmpty(", ", sheet.Required(rc, v, "adresse"), v["complement_adresse"])
	p.Commune = sheet.Required(rc, v, "lib_com")
	if !placeIn(rc, d, p, v, "code_postal", "French", "latitude", "longitude") {
		return nil
	}
	p.Phone = sheet.Phone(rc, "telephone", v["telephone"], string(geo.FR))
	p.Email = sheet.FirstEmail(rc, "mail", v["mail"])
	p.Summary = v["commentaire"]
	// Six weekday columns → one week; any broken column keeps the raw text.
	geo.SetDayColumns(rc, p, v, []string{"h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi"})
	return p
}

// ocmwPlace reads one OCMW seat. Its services come from its legal mission
// (social aid, including help with administrative procedures, one to one),
// recorded as geo.TagLegalMission; it serves only its own commune, and its
// coordinates are a postcode centroid.
func ocmwPlace(rc *sheet.Check, v map[string]string, d *geo.Draft, ids map[string]int) *geo.Place {
	p := &geo.Place{
		Country:     geo.BE,
		Source:      geo.SourceOCMW,
		TagSource:   geo.TagLegalMission,
		Services:    []string{geo.ServiceProcedures},
		Modalities:  []string{geo.ModeOneToOne},
		Programmes:  []string{geo.ProgrammeCPAS},
		Langs:       []string{"nl"},
		CommuneOnly: true,
		Approx:      true,
		Pivot:       v["kbo_number"],
	}
	id := v["ovo_code"]
	if id == "" {
		id = v["kbo_number"]
	}
	rc.ID("ovo_code", id, ids)
	p.ID = geo.SourceOCMW + "/" + id
	p.Name = "OCMW " + sheet.Required(rc, v, "name")
	street := sheet.Required(rc, v, "street")
	p.Address = sheet.JoinNonEmpty(" ", street, v["housenumber"])
	if b := v["box"]; b != "" {
		p.Address += " bus " + b
	}
	p.Commune = sheet.Required(rc, v, "municipality")
	if !placeIn(rc, d, p, v, "postcode", "Belgian", "approx_lat", "approx_lon") {
		return nil
	}
	p.Approx = true
	return p
}

// placeIn reads p's postcode (column pc, of p.Country, named by its
// adjective in the message) and its point (columns lat and lon); false
// when the row is rejected.
func placeIn(rc *sheet.Check, d *geo.Draft, p *geo.Place, v map[string]string, pc, adjective, lat, lon string) bool {
	p.Postcode = sheet.Required(rc, v, pc)
	if c, ok := geo.CountryOf(p.Postcode); p.Postcode != "" && (!ok || c != p.Country) {
		rc.Errf(pc, "%q is not a %s postcode", p.Postcode, adjective)
	}
	if rc.Rejected {
		return false
	}
	return d.SetPoint(rc, p, v[lat], v[lon])
}

// JSONRows reads a file in the standard's JSON form (an array of
// objects whose keys are the CSV columns) into rows; a value that is not
// valid UTF-8 is an issue that rejects its row.
func JSONRows(file string, data []byte) ([]geo.Row, []geo.Issue) {
	var issues []geo.Issue
	var out []geo.Row
	for _, v := range jsonRows(file, data, &issues) {
		line, _ := strconv.Atoi(v[lineKey])
		if f, bad := v[badUTF8Key]; bad {
			issues = append(issues, geo.Issue{File: file, Line: line, Field: f, Msg: "not valid UTF-8", Key: "not valid UTF-8"})
			continue
		}
		delete(v, lineKey)
		out = append(out, geo.Row{Line: line, Values: v})
	}
	return out, issues
}
