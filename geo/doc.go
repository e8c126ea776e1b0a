// Package geo finds help places near a person. It geocodes Belgian and
// French postcodes and commune names, holds the place directory in the
// French "standard de données de la médiation numérique" v1.0.2 (relaxed
// for Belgium), and matches a diagnosed person to places as
// docs/diagnostic.md D.2–D.3 describes.
//
// geo reads only its shipped files (configs/places); geo/geoimport reads
// the source formats, merges an import and writes those files. geo
// imports only the standard library and its own geo/internal/sheet (the
// row checks it shares with geoimport). It must not import flows, bot,
// store, configs or cmd: they depend on it, and it is passed an fs.FS for
// its data.
package geo
