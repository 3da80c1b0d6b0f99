#!/usr/bin/env bash
# The grading script an instructor would write for one student of the lab, in plain bash: curl to ARM
# with a token, kubectl per question, curl to the registry with Basic auth (or ACR's token exchange),
# one ssh per question, curl to the app, jq for JSON. It prints "<check id> <pass|fail|blocked|skipped>"
# per check it does; checks it does not do are simply not printed ("not scripted").
#
# usage: baseline.sh USER      with, in the environment:
#   LAB_DIR   folder written by `lab-grade sandbox` (ca.pem, azure-token, vm-password, kubeconfigs/USER.yaml)
#   ARM SUB   the ARM endpoint and subscription;  RG  the student's resource group
#   VM_HOST   the VM's host name;  CURLRC  a curl config with one connect-to line per public address
#   SSH_PORT  where the VM's port 22 is reached on 127.0.0.1
set -uo pipefail
user=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

token=$(cat "$LAB_DIR/azure-token")
export KUBECONFIG="$LAB_DIR/kubeconfigs/$user.yaml"
kc() { kubectl --cache-dir "$work/kube-cache" --request-timeout=10s "$@" 2>/dev/null; }
web() { curl -s -K "$CURLRC" --cacert "$LAB_DIR/ca.pem" --max-time 10 "$@"; }
arm() { web -f -H "Authorization: Bearer $token" "$@"; }
rgurl="$ARM/subscriptions/$SUB/resourceGroups/$RG"

# ssh with the lab password, without sshpass: OpenSSH asks SSH_ASKPASS when told to.
printf '#!/bin/sh\ncat "%s"\n' "$LAB_DIR/vm-password" >"$work/askpass" && chmod +x "$work/askpass"
vm() {
  SSH_ASKPASS="$work/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none \
    ssh -p "$SSH_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
      -o PreferredAuthentications=password -o PubkeyAuthentication=no -o ConnectTimeout=10 \
      "$user@127.0.0.1" "$@" </dev/null 2>/dev/null
}

say() { echo "$1 $2" >>"$work/out"; echo "$1 $2"; }
verdict() { if eval "$2"; then say "$1" pass; else say "$1" fail; fi; }
# verdict unless a prerequisite did not pass
after() { local pre=$1; shift; if [ "$pre" = pass ]; then verdict "$@"; else say "$1" blocked; fi; }
status_of() { grep -E "^$1 " "$work/out" | tail -1 | cut -d' ' -f2; }

# ---- Exercise 1-2: the VM
verdict ex1.vm.reachable 'vm true'
r1=$(status_of ex1.vm.reachable)
after "$r1" ex1.docker.installed 'vm docker --version | grep -q "Docker version"'
# Decided from the answer, not the exit code: CLIs 23 to 28.0 exit 0 with an empty template when refused.
after "$(status_of ex1.docker.installed)" ex1.docker.usable "vm docker info --format '{{.ServerVersion}}' | grep -q '[^[:space:]]'"
after "$r1" ex2.repo.cloned 'vm "test -d greetings && test -f greetings/myapp/Dockerfile && test -f greetings/myapi/Dockerfile && ls greetings/docker-compose.y*ml" >/dev/null'
compose=$(vm 'cat greetings/docker-compose.yaml 2>/dev/null || cat greetings/docker-compose.yml')
after "$(status_of ex2.repo.cloned)" ex2.compose.valid \
  '(for s in myapp myapi; do grep -Eq "build: *\"?(\./)?$s/?\.?\"?\$" <<<"$compose" && grep -Fq "image: \"\${REGISTRY}$s:\${TAG" <<<"$compose" || exit 1; done)'
after "$(status_of ex2.compose.valid)" ex2.compose.ports 'grep -Eq "^ *- *\"?(0\.0\.0\.0:)?80:8080\"? *\$" <<<"$compose"'
after "$(status_of ex1.docker.usable)" ex2.images.built \
  "imgs=\$(vm \"docker image ls --format '{{.Repository}}:{{.Tag}}'\"); grep -Eq '(^|/)myapp:' <<<\"\$imgs\" && grep -Eq '(^|/)myapi:' <<<\"\$imgs\""
after "$r1" ex2.app.served "web 'http://$VM_HOST/' | grep -Fq '<a href=\"/greeting\">here</a>'"

# ---- Exercise 3: the cluster (ARM)
arm "$rgurl/providers/Microsoft.ContainerService/managedClusters?api-version=2024-05-01" >"$work/aks.json" || echo '{"value":[]}' >"$work/aks.json"
verdict ex3.cluster.exists 'jq -e ".value | length > 0" "$work/aks.json" >/dev/null'
c=$(status_of ex3.cluster.exists)
after "$c" ex3.cluster.healthy 'jq -e ".value[0].properties | .provisioningState == \"Succeeded\" and (.powerState.code // \"Running\") == \"Running\"" "$work/aks.json" >/dev/null'
after "$c" ex3.cluster.nodes 'jq -e "[.value[0].properties.agentPoolProfiles[].count] | add == 3" "$work/aks.json" >/dev/null && [ "$(kc get nodes --no-headers | grep -cw Ready)" -ge 3 ]'

# ---- Exercise 4: the registry (ARM, then its own API)
arm "$rgurl/providers/Microsoft.ContainerRegistry/registries?api-version=2023-07-01" >"$work/acr.json" || echo '{"value":[]}' >"$work/acr.json"
verdict ex4.registry.exists 'jq -e ".value | length > 0" "$work/acr.json" >/dev/null'
g=$(status_of ex4.registry.exists)
ls=$(jq -r '.value[0].properties.loginServer // empty' "$work/acr.json")
acr=$(jq -r '.value[0].name // empty' "$work/acr.json")
after "$g" ex4.registry.admin 'jq -e ".value[0].properties.adminUserEnabled" "$work/acr.json" >/dev/null'
if [ "$(status_of ex4.registry.admin)" = pass ]; then
  arm -X POST "$rgurl/providers/Microsoft.ContainerRegistry/registries/$acr/listCredentials?api-version=2023-07-01" >"$work/cred.json"
  regauth=(-u "$(jq -r .username "$work/cred.json"):$(jq -r '.passwords[0].value' "$work/cred.json")")
elif [ -n "$ls" ]; then
  # no admin user: what `az acr login --expose-token` does, the Entra token exchanged for an ACR token
  refresh=$(web "https://$ls/oauth2/exchange" -d grant_type=access_token -d "service=$ls" -d "access_token=$token" | jq -r .refresh_token)
  acrtoken() { web "https://$ls/oauth2/token" -d grant_type=refresh_token -d "service=$ls" -d "scope=repository:$1:pull" -d "refresh_token=$refresh" | jq -r .access_token; }
fi
tags_has() { # repository: the tags list names v1.0
  local auth
  if [ -n "${regauth+x}" ]; then auth=("${regauth[@]}"); else auth=(-H "Authorization: Bearer $(acrtoken "$1")"); fi
  web "${auth[@]}" "https://$ls/v2/$1/tags/list" | jq -e '.tags | index("v1.0")' >/dev/null
}
for app in myapp myapi; do after "$g" "ex4.image.$app" "tags_has $app"; done

# ---- Exercise 5: kubectl, the pull permission, the pod
after "$(status_of ex3.cluster.healthy)" ex5.kube.reachable 'kc version -o json | jq -e .serverVersion >/dev/null'
k=$(status_of ex5.kube.reachable)
kc get pods -o json >"$work/pods.json" || echo '{"items":[]}' >"$work/pods.json"
# Decided from the role assignments when the cluster exists, reachable or not (its pods only add evidence).
if [ "$g" = pass ] && [ "$c" = pass ]; then
  acrid=$(jq -r '.value[0].id' "$work/acr.json")
  ids=$(jq -r '.value[0] | (.properties.identityProfile.kubeletidentity.objectId // empty), (.identity.principalId // empty), (.properties.servicePrincipalProfile.clientId // empty)' "$work/aks.json")
  arm "$ARM$acrid/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&\$filter=atScope()" >"$work/ra.json" || echo '{"value":[]}' >"$work/ra.json"
  # Reader, AcrPull, AcrPush, Contributor, Owner (built-in role definition ids)
  roles='acdd72a7-3385-48ef-bd42-f606fba81ae7|7f951dda-4ed3-4680-a7ca-43fe172d538d|8311e382-0749-4cb8-b61a-304f252e45ec|b24988ac-6180-42a0-ab88-20f7382dd24c|8e3af657-a8ff-443c-a75c-2fe8c4bcb635'
  granted=$(jq -r '.value[].properties | "\(.principalId) \(.roleDefinitionId)"' "$work/ra.json" | grep -Fi -f <(printf '%s\n' $ids) | grep -Eci "$roles")
  verdict ex5.pull.authorized "[ '${granted:-0}' -gt 0 ] || jq -e --arg ls '$ls' '[.items[] | select(.status.phase == \"Running\") | .spec.containers[].image | select(startswith(\$ls + \"/\"))] | length > 0' '$work/pods.json' >/dev/null"
else
  say ex5.pull.authorized blocked
fi
after "$k" ex5.pod.running "jq -e --arg img '$ls/myapp:v1.0' '[.items[] | select(.status.phase == \"Running\") | select(any(.spec.containers[]; .image == \$img))] | length > 0' '$work/pods.json' >/dev/null"

# ---- Exercise 6: Deployments, Services, the app
deploy_ok() { # name image replicas(or empty)
  kc get deploy "$1" -o json | jq -e --arg img "$ls/$1:v1.0" --arg want "$3" '.spec.template.spec.containers[0].image == $img
    and ($want == "" or .spec.replicas == ($want | tonumber)) and (.status.availableReplicas // 0) == .spec.replicas' >/dev/null
}
after "$k" ex6.myapp.deployment 'deploy_ok myapp x 3 && kc get deploy myapp -o json | jq -e "any(.spec.template.spec.containers[0].env[]?; .name == \"API_BASE_URL\" and .value == \"http://myapi:8080\")" >/dev/null'
after "$k" ex6.myapi.deployment 'deploy_ok myapi x ""'
after "$k" ex6.myapi.service 'kc get svc myapi -o json | jq -e ".spec.type == \"ClusterIP\" and any(.spec.ports[]; .port == 8080)" >/dev/null && kc get endpoints myapi -o json | jq -e "[.subsets[]?.addresses[]?] | length > 0" >/dev/null'
after "$k" ex6.myapp.service 'kc get svc myapp -o json | jq -e ".spec.type == \"LoadBalancer\" and any(.spec.ports[]; .port == 80) and (.status.loadBalancer.ingress[0].ip // \"\") != \"\"" >/dev/null'
ip=$(kc get svc myapp -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
greeting="baseline-$RANDOM$RANDOM"
after "$(status_of ex6.myapp.service)" ex6.app.e2e "web 'http://$ip/' | grep -q 'href=\"/greeting\"' && web 'http://$ip/greeting' | grep -q 'name=\"content\"' && web 'http://$ip/greeting' --data-urlencode 'content=$greeting' | grep -Fq '$greeting'"
after "$(status_of ex6.myapi.deployment)" ex6.api.replicas 'kc get deploy myapi -o json | jq -e ".spec.replicas <= 1 or any(.spec.template.spec.containers[0].env[]?; .name == \"SPRING_DATASOURCE_URL\")" >/dev/null'
# not scripted: ex6.image.provenance (digests of running pods vs the registry), ex6.selfheal (deletes a pod)

# ---- Exercise 7: Helm (3: Secrets owner=helm; 2: ConfigMaps OWNER=TILLER in kube-system)
kc get secrets -A -l owner=helm -o json | jq -r '.items[] | select(.metadata.labels.status == "deployed") | .data.release' |
  while read -r r; do base64 -d <<<"$r" | base64 -d | gunzip; echo; done | jq -c 'select(.chart.metadata.name == "greetings")' >"$work/helm3.json" 2>/dev/null
kc get configmaps -n kube-system -l OWNER=TILLER,STATUS=DEPLOYED -o json | jq -r '.items[].data.release' |
  while read -r r; do base64 -d <<<"$r" | gunzip | tr -c '[:print:]\n' '\n'; done >"$work/helm2.txt" 2>/dev/null
after "$k" ex7.helm.release '[ -s "$work/helm3.json" ] || grep -q greetings "$work/helm2.txt"'
after "$(status_of ex7.helm.release)" ex7.helm.registry "jq -e --arg ls '$ls' '.config.registry == \$ls' '$work/helm3.json' >/dev/null 2>&1 || grep -Eq 'registry: *\"?$ls' '$work/helm2.txt'"
if [ "$(status_of ex7.helm.release)" = pass ] && [ ! -s "$work/helm3.json" ]; then
  verdict ex7.tiller 'kc get sa tiller -n kube-system >/dev/null && kc get clusterrolebindings -o json | jq -e "any(.items[]; .roleRef.name == \"cluster-admin\" and any(.subjects[]?; .name == \"tiller\"))" >/dev/null'
elif [ "$(status_of ex7.helm.release)" = pass ]; then say ex7.tiller skipped; else say ex7.tiller blocked; fi
