// The storefront page: a visitor id kept in localStorage, a visitor token from the shop's backend
// (backend.mjs), then three lists from the recommendation API, read and written with that token only.
// A click on a product records a view from the browser and draws the lists again.
// Where the API and the shop's backend are: ?api=…&backend=… (defaults for a local try).
const params = new URLSearchParams(location.search);
const API = params.get('api') ?? 'http://localhost:4000/graphql';
const BACKEND = params.get('backend') ?? 'http://localhost:8081';

const visitorId = localStorage.getItem('visitorId') ?? `visitor-${crypto.randomUUID()}`;
localStorage.setItem('visitorId', visitorId);
let token;
let anchor = null;

async function gql(query, variables = {}) {
  const response = await fetch(API, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors[0].message);
  return body.data;
}

function show(listId, items) {
  const list = document.getElementById(listId);
  list.replaceChildren(
    ...items.map(({ product, reason }) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.textContent = product.name;
      button.dataset.product = product.id;
      button.dataset.reason = reason;
      button.addEventListener('click', () => view(product.id));
      item.append(button);
      return item;
    }),
  );
}

async function draw() {
  const data = await gql(
    `query($u: ID!, $p: ID!, $withAnchor: Boolean!) {
      forYou: recommendations(userId: $u, first: 8) { reason product { id name } }
      alsoBought: productsBoughtTogether(productId: $p, first: 6) @include(if: $withAnchor) { reason product { id name } }
      trending: trendingProducts(first: 6) { reason product { id name } }
    }`,
    { u: visitorId, p: anchor ?? '', withAnchor: anchor !== null },
  );
  show('for-you', data.forYou);
  show('also-bought', data.alsoBought ?? []);
  show('trending', data.trending);
  document.getElementById('anchor').textContent = anchor ? `(with ${anchor})` : '(view a product)';
  document.getElementById('status').textContent = `Recommended for you: ${data.forYou[0]?.reason ?? 'nothing yet'}`;
}

async function view(productId) {
  anchor = productId;
  await gql('mutation($e: [EventInput!]!) { recordEvents(events: $e) }', {
    e: [{ userId: visitorId, productId, type: 'VIEW', eventId: `${visitorId}-${crypto.randomUUID()}` }],
  });
  await draw();
}

async function start() {
  document.getElementById('visitor').textContent = visitorId;
  const response = await fetch(`${BACKEND}/visitor-token?visitor=${encodeURIComponent(visitorId)}`, { method: 'POST' });
  ({ token } = await response.json());
  await draw();
}

start().catch((error) => {
  document.getElementById('status').textContent = `Could not load: ${error.message}`;
});
