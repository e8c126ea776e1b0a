//go:build race

package geo

// raceDetector: the race detector slows the linear references tenfold;
// the large equality test then checks fewer people.
const raceDetector = true
