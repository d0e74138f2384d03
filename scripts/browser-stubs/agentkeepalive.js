// Browser stand-in for agentkeepalive: fhir-kit-client imports it at module top for Node's
// HTTP agent; browsers keep connections alive themselves, so the agent is never used.
export default class HttpAgent {}
export class HttpsAgent {}
