-- golden: NERDCTL_STANDIN_FAIL_PULL=failed to do request: Head "https://registry.example/v2/app/manifests/1": dial tcp: lookup registry.example: no such host
nerdctl_image_pull("registry.example/app:1")
