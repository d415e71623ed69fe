// Webhooks, both ways: outgoing subscriptions and their delivery log (replay),
// incoming endpoints and their request log. Use as a namespace:
// `import * as webhooks from '$lib/server/webhooks'`. Deliveries are posted by
// the worker (src/worker/webhooks); incoming requests are answered by the
// inbound-webhook edge function.
export {
	listSubscriptions,
	createSubscription,
	updateSubscription,
	removeSubscription,
	rotateSubscriptionSecret,
	subscriptionInputSchema,
	STRICT,
	type Subscription,
	type SubscriptionInput
} from './subscriptions.ts';
export { listDeliveries, replay, type Delivery, type DeliveryStatus } from './deliveries.ts';
export {
	listEndpoints,
	createEndpoint,
	updateEndpoint,
	removeEndpoint,
	rotateEndpointSecret,
	listRequests,
	endpointUrl,
	endpointInputSchema,
	type Endpoint,
	type EndpointInput,
	type InboundRequest
} from './inbound.ts';
export { WebhookInputError, WebhookNotFoundError } from './errors.ts';
export { outboundPolicyFromEnv, type OutboundPolicy } from '../../webhooks/targets.ts';
export { verify as verifySignature, SIGNATURE_HEADER } from '../../webhooks/signature.ts';
