// Package configs embeds the data the binary needs: the FR and NL message
// catalogues and the place directory, so that it runs anywhere with no file
// beside it. Only cmd imports it; other packages are passed an fs.FS.
package configs

import "embed"

// FS holds i18n/*.json and places/*.
//
//go:embed i18n places
var FS embed.FS
