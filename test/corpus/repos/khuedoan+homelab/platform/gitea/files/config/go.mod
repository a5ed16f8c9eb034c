module git.khuedoan.com/khuedoan/homelab/gitea/config

go 1.19

require (
	code.gitea.io/sdk/gitea v0.15.1
	gopkg.in/yaml.v2 v2.4.0
)

require github.com/hashicorp/go-version v1.2.1 // indirect
