// Package wacloudtest is a fake of the WhatsApp Business Cloud API (Meta's
// Graph API), for tests and the load tool: an httptest server on loopback
// that speaks the Graph wire format, so it is the only contract between
// the transport and its tests.
//
// It answers POST /{version}/{phone_number_id}/messages as Meta does:
// bearer token (401, code 190), the limits of text, reply buttons, lists,
// location requests and templates (400, codes 100 and 131009), unknown
// templates (400, 132001), and the 24-hour customer service window: a
// free-form message to a person whose last message is more than 24 h old
// on the fake's clock is accepted (200) and then fails by a signed status
// webhook with code 131047, as Meta reports it. Blocked numbers fail the
// same way with 131026.
//
// The control API plays the person: Text, Press, Pick, Location, Media,
// Reaction and Answer post signed webhooks (X-Hub-Signature-256) in Meta's
// envelope to the app, Redeliver posts one again as Meta retries, Post
// posts raw bytes for forged-signature tests, Verify makes Meta's GET
// subscription check. Sent, Delivered, Last and Transcript show what
// each person received; Calls every request; Statuses the status
// webhooks, posted in order by one goroutine after the send's answer
// (Flush waits for them). Fail, Block and Hold inject failures.
//
// It imports the standard library only; nothing of Secours.
package wacloudtest
