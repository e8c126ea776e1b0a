package geo

import (
	"errors"
	"math"
)

// Point is a WGS84 position in degrees.
type Point struct{ Lat, Lon float64 }

// earthRadiusKM is the mean Earth radius (IUGG); the error against the
// ellipsoid (< 0.5 %) is far below the precision of postcode centroids.
const earthRadiusKM = 6371.0088

// Distance is the great-circle (haversine) distance in km.
func Distance(a, b Point) float64 {
	const rad = math.Pi / 180
	φ1, φ2 := a.Lat*rad, b.Lat*rad
	dφ := φ2 - φ1
	dλ := (b.Lon - a.Lon) * rad
	s1, s2 := math.Sin(dφ/2), math.Sin(dλ/2)
	h := s1*s1 + math.Cos(φ1)*math.Cos(φ2)*s2*s2
	if h > 1 {
		h = 1
	}
	return 2 * earthRadiusKM * math.Asin(math.Sqrt(h))
}

// valid reports whether p is a finite position on the globe.
func (p Point) valid() bool {
	return !math.IsNaN(p.Lat) && !math.IsNaN(p.Lon) &&
		p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

// Country is an ISO 3166-1 alpha-2 code: geo knows only BE and FR.
type Country string

// The two countries Secours serves.
const (
	BE Country = "BE"
	FR Country = "FR"
)

// outsideKM is how far a point may be from every known postcode centroid
// and still count as inside BE/FR: farther means the sea or abroad.
const outsideKM = 25

var (
	// ErrUnknownPostcode means the postcode or commune name is not in the
	// directory. It is bad input: prompt again, do not log it as a failure.
	ErrUnknownPostcode = errors.New("geo: unknown postcode or commune")
	// ErrOutside means a point is in the sea or outside Belgium and France.
	ErrOutside = errors.New("geo: location outside Belgium and France")
)

// NotFoundError is returned (wrapping ErrUnknownPostcode) for an unknown
// postcode or commune name. Its message holds no user text, so it can be
// logged; Input is for the caller only.
type NotFoundError struct {
	Input       string
	Suggestions []string // up to 3 close commune names, or "postcode name" choices
	// Ambiguous is set when the name exists in several places far apart
	// (Saint-Denis): ask for the postcode. Suggestions then holds the
	// first 3 "postcode name" choices, each of which Locate accepts.
	Ambiguous bool
}

func (e *NotFoundError) Error() string {
	if e.Ambiguous {
		return "geo: ambiguous commune name"
	}
	return ErrUnknownPostcode.Error()
}

// Unwrap lets errors.Is(err, ErrUnknownPostcode) hold.
func (e *NotFoundError) Unwrap() error { return ErrUnknownPostcode }
