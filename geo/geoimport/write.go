package geoimport

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

	"github.com/secours/secours/geo"
)

// clean keeps a value on its line of a tab-separated file.
var clean = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace

// WriteDir writes the directory in its shipped form: places.csv.gz (the
// standard's columns plus ours) and postcodes.tsv, both normalised and
// byte-for-byte reproducible (no gzip timestamp). Postcodes stay plain
// text: decompressing them was a third of Open.
func WriteDir(d *geo.Directory, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write places: %w", err)
	}
	c := d.Contents()
	var pc bytes.Buffer
	pc.WriteString("pays\tcode_postal\tnom\tlatitude\tlongitude\n")
	for _, r := range c.Postcodes {
		fmt.Fprintf(&pc, "%s\t%s\t%s\t%s\t%s\n", r.Country, r.Postcode, clean(r.Name), round5(r.Point.Lat), round5(r.Point.Lon))
	}
	if err := writeFile(filepath.Join(dir, geo.PostcodesFile), pc.Bytes()); err != nil {
		return err
	}

	if err := writeCommunes(c, dir); err != nil {
		return err
	}

	var pl bytes.Buffer
	w := csv.NewWriter(&pl)
	w.Write(geo.ShippedHeader())
	for _, p := range d.Places() { // ID order: small diffs between imports
		w.Write(geo.ShippedRecord(p))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write places: %w", err)
	}
	return writeGz(filepath.Join(dir, geo.PlacesFile), pl.Bytes())
}

// writeCommunes writes communes.tsv and localites.tsv (none when the
// directory knows no commune), and best-codes-postaux.tsv when it has a
// BeST table.
func writeCommunes(c geo.Contents, dir string) error {
	if len(c.Communes) == 0 {
		return nil
	}
	var b bytes.Buffer
	b.WriteString(geo.CommunesHeader + "\n")
	for _, c := range c.Communes {
		lat, lon := "", ""
		if c.HasSeat {
			lat, lon = round5(c.Seat.Lat), round5(c.Seat.Lon)
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.NIS, clean(c.NameFR), clean(c.NameNL), clean(c.NameDE),
			c.SeatPostcode, clean(c.SeatName), lat, lon, clean(strings.Join(c.OldNames, "|")))
	}
	if err := writeFile(filepath.Join(dir, geo.CommunesFile), b.Bytes()); err != nil {
		return err
	}
	b.Reset()
	b.WriteString(geo.LocalitiesHeader + "\n")
	for _, l := range c.Localities {
		// An empty name is the postcode as a whole.
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", l.Postcode, clean(l.Name), l.Area, strings.Join(l.NIS, "|"), l.Method)
	}
	if err := writeFile(filepath.Join(dir, geo.LocalitiesFile), b.Bytes()); err != nil {
		return err
	}
	if len(c.BeST) == 0 {
		return nil
	}
	b.Reset()
	b.WriteString(bestHeader + "\n")
	for _, code := range slices.Sorted(maps.Keys(c.BeST)) {
		var nis, names []string
		for _, e := range c.BeST[code] {
			nis = append(nis, e.NIS)
			for _, n := range e.Names {
				names = append(names, e.NIS+"="+clean(n))
			}
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\n", code, strings.Join(nis, "|"), strings.Join(names, ";"))
	}
	return writeFile(filepath.Join(dir, geo.BeSTFile), b.Bytes())
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
