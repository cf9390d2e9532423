package netrules

// publicSuffixes lists common multi-label public suffixes: domains under which unrelated parties
// register names, so "*.<suffix>" in an allow list would admit strangers. Single-label suffixes
// (every top-level domain: com, net, io, dev, …) need no list: a wildcard over one label is always
// refused. This is a deliberately compact excerpt, NOT the full Public Suffix List; a wildcard
// over a suffix missing here is accepted, so review broad wildcards by hand.
var publicSuffixes = map[string]bool{
	// Country-code second levels.
	"co.uk": true, "org.uk": true, "me.uk": true, "ac.uk": true, "gov.uk": true, "ltd.uk": true, "plc.uk": true,
	"com.au": true, "net.au": true, "org.au": true, "edu.au": true, "gov.au": true,
	"co.nz": true, "org.nz": true, "net.nz": true,
	"co.jp": true, "ne.jp": true, "or.jp": true, "ac.jp": true, "go.jp": true,
	"co.kr": true, "or.kr": true, "com.cn": true, "net.cn": true, "org.cn": true,
	"com.br": true, "net.br": true, "org.br": true, "com.mx": true, "com.ar": true,
	"co.in": true, "net.in": true, "org.in": true, "co.za": true, "com.sg": true, "com.tw": true,
	"com.hk": true, "com.tr": true, "com.ua": true, "co.il": true, "com.pl": true, "co.id": true,
	// Hosting platforms whose customers get sibling subdomains.
	"github.io": true, "githubusercontent.com": true, "gitlab.io": true, "bitbucket.io": true,
	"pages.dev": true, "workers.dev": true, "r2.dev": true, "vercel.app": true, "now.sh": true,
	"netlify.app": true, "netlify.com": true, "herokuapp.com": true, "appspot.com": true,
	"web.app": true, "firebaseapp.com": true, "cloudfunctions.net": true, "run.app": true,
	"azurewebsites.net": true, "cloudapp.net": true, "blob.core.windows.net": true,
	"amazonaws.com": true, "s3.amazonaws.com": true, "cloudfront.net": true, "elasticbeanstalk.com": true,
	"blogspot.com": true, "wordpress.com": true, "readthedocs.io": true, "fly.dev": true,
	"onrender.com": true, "ngrok.io": true, "ngrok-free.app": true, "ngrok.app": true,
	"glitch.me": true, "repl.co": true, "replit.dev": true, "deno.dev": true, "surge.sh": true,
	"railway.app": true, "up.railway.app": true, "duckdns.org": true, "no-ip.org": true, "dyndns.org": true,
}
