package geo

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// WriteDir writes the directory in its shipped form: places.csv.gz (the
// standard's columns plus ours) and postcodes.tsv, both normalised and
// byte-for-byte reproducible (no gzip timestamp). Postcodes stay plain
// text: decompressing them was a third of Open.
func (d *Directory) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write places: %w", err)
	}
	var pc bytes.Buffer
	pc.WriteString("pays\tcode_postal\tnom\tlatitude\tlongitude\n")
	for _, r := range d.pcs {
		name := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(r.name)
		fmt.Fprintf(&pc, "%s\t%s\t%s\t%s\t%s\n", r.country, r.postcode, name, round5(r.pt.Lat), round5(r.pt.Lon))
	}
	if err := writeFile(filepath.Join(dir, postcodesFile), pc.Bytes()); err != nil {
		return err
	}

	if err := d.writeCommunes(dir); err != nil {
		return err
	}

	var pl bytes.Buffer
	w := csv.NewWriter(&pl)
	header := append(standardColumns(), extraColumns()...)
	w.Write(header)
	for _, p := range d.Places() { // ID order: small diffs between imports
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
		rec := make([]string, len(header))
		for i, h := range header {
			rec[i] = v[h]
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write places: %w", err)
	}
	return writeGz(filepath.Join(dir, placesFile), pl.Bytes())
}

// writeCommunes writes communes.tsv and localites.tsv (none when the
// directory knows no commune).
func (d *Directory) writeCommunes(dir string) error {
	if len(d.communes) == 0 {
		return nil
	}
	clean := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace
	var b bytes.Buffer
	b.WriteString(communesHeader + "\n")
	for _, c := range d.communes {
		lat, lon := "", ""
		if c.hasSeat {
			lat, lon = round5(c.seat.Lat), round5(c.seat.Lon)
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.NIS, clean(c.NameFR), clean(c.NameNL), clean(c.NameDE),
			c.seatPC, clean(c.seatName), lat, lon, clean(strings.Join(c.oldNames, "|")))
	}
	if err := writeFile(filepath.Join(dir, communesFile), b.Bytes()); err != nil {
		return err
	}
	b.Reset()
	b.WriteString(localitiesHeader + "\n")
	for _, r := range d.pcs {
		if r.country != BE || r.set <= 0 {
			continue
		}
		s := d.sets[r.set]
		nis := make([]string, len(s.idx))
		for k, i := range s.idx {
			nis[k] = d.communes[i].NIS
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", r.postcode, clean(r.name), r.area, strings.Join(nis, "|"), s.method)
	}
	for _, code := range slices.Sorted(maps.Keys(d.byPostcode)) {
		pc := d.byPostcode[code]
		if pc.country != BE || pc.set <= 0 {
			continue
		}
		s := d.sets[pc.set]
		nis := make([]string, len(s.idx))
		for k, i := range s.idx {
			nis[k] = d.communes[i].NIS
		}
		// An empty name is the postcode as a whole.
		fmt.Fprintf(&b, "%s\t\t%s\t%s\t%s\n", code, d.pcs[pc.rows[0]].area, strings.Join(nis, "|"), s.method)
	}
	if err := writeFile(filepath.Join(dir, localitiesFile), b.Bytes()); err != nil {
		return err
	}
	if len(d.best) == 0 {
		return nil
	}
	b.Reset()
	b.WriteString(bestHeader + "\n")
	for _, code := range slices.Sorted(maps.Keys(d.best)) {
		var nis, names []string
		for _, e := range d.best[code] {
			nis = append(nis, e.nis)
			for _, n := range e.names {
				names = append(names, e.nis+"="+clean(n))
			}
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\n", code, strings.Join(nis, "|"), strings.Join(names, ";"))
	}
	return writeFile(filepath.Join(dir, bestFile), b.Bytes())
}

func yes(b bool) string {
	if b {
		return "oui"
	}
	return ""
}

// writeGz writes through a temporary file so a failed import never leaves
// a half-written directory for the next build to embed.
func writeGz(name string, data []byte) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := zw.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return writeFile(name, buf.Bytes())
}

func writeFile(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// round5 keeps about 1 m, far finer than a commune centroid.
func round5(f float64) string { return strconv.FormatFloat(math.Round(f*1e5)/1e5, 'f', -1, 64) }
