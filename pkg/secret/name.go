package secret

import (
	"strings"
	"unicode"
)

// Whether a name and its value are a credential is decided by whole
// tokens of the name, the variable's type and the value's shape, never by
// a substring: on real modules a substring match was right 17 times in
// 40 (manage_master_user_password is a flag, password_wo_version and
// secret_rotation_after_days numbers, k3s_token_file a path, *_token_id
// and kms_key_id identifiers, secret_arn an ARN). The bundled library's
// secret_name (policies/homelab/terraform.rego) is the same decision,
// tested on the same table (testdata/secret-names.txt).

// secretWords are tokens that make a name a credential's.
var secretWords = map[string]bool{
	"password": true, "passwd": true, "passphrase": true, "secret": true, "token": true,
	"credential": true, "credentials": true, "apikey": true, "psk": true, "pass": true, "pwd": true,
}

// secretPairs are two tokens that do, side by side (api_key, private_key).
var secretPairs = map[[2]string]bool{
	{"api", "key"}: true, {"private", "key"}: true, {"access", "key"}: true, {"secret", "key"}: true,
}

// notSecretLast are last tokens that make the name a fact about the
// credential, not the credential: its id, where it is, how long, when.
var notSecretLast = map[string]bool{
	"id": true, "ids": true, "name": true, "names": true, "arn": true, "arns": true, "path": true, "paths": true,
	"file": true, "files": true, "filename": true, "dir": true, "length": true, "len": true, "version": true,
	"versions": true, "days": true, "hours": true, "minutes": true, "seconds": true, "count": true, "ttl": true,
	"enabled": true, "enable": true, "type": true, "policy": true, "rotation": true, "url": true, "uri": true,
	"endpoint": true, "user": true, "username": true, "prefix": true, "suffix": true, "header": true,
	"location": true, "ref": true, "expiry": true, "expiration": true, "duration": true, "expression": true,
	"schedule": true, "interval": true, "period": true, "window": true, "format": true, "mode": true,
	"strategy": true, "algorithm": true, "size": true,
}

// flagFirst are first tokens of a yes/no setting (manage_master_password).
var flagFirst = map[string]bool{
	"manage": true, "create": true, "enable": true, "use": true, "generate": true, "is": true,
	"has": true, "rotate": true, "random": true, "require": true, "allow": true, "disable": true,
	"existing": true,
}

// Tokens splits a name at _, -, . and case changes, lower-cased.
func Tokens(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// Name reports whether a variable, argument, tfvars or vars key of this
// name holds a credential.
func Name(name string) bool {
	ts := Tokens(name)
	if len(ts) == 0 {
		return false
	}
	hit := false
	for i, t := range ts {
		if secretWords[t] || i > 0 && secretPairs[[2]string{ts[i-1], t}] {
			hit = true
		}
	}
	if !hit {
		return false
	}
	last := ts[len(ts)-1]
	if notSecretLast[last] {
		return false
	}
	return !flagFirst[ts[0]]
}
