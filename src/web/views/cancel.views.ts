/** The page behind the cancel link of the "recovery request received" mail. */

export const cancel = `<% layout('@layout') %>
<div class="narrow">
  <div class="card">
    <h1><%= it.title %></h1>
<%~ include('@messages', it) %>
<% if (it.request) { %>
<% if (it.request.open) { %>
    <p class="lead"><%= it.t.cancel.intro %></p>
<% } else { %>
    <p class="lead" id="cancel-state"><%= it.t.cancel.closed[it.request.status] %></p>
<% } %>
    <dl class="summary">
      <div><dt><%= it.t.cancel.account %></dt><dd><%= it.request.sender %></dd></div>
      <div><dt><%= it.t.cancel.received %></dt><dd><time datetime="<%= it.request.receivedAt %>"><%= it.date(it.request.receivedAt) %></time></dd></div>
      <div><dt><%= it.t.cancel.status %></dt><dd><span class="badge badge--<%= it.request.status %>"><%= it.t.requestStatus[it.request.status] %></span></dd></div>
    </dl>
<% if (it.request.open) { %>
    <form method="post" action="<%= it.action %>">
<%~ include('@csrf', it) %>
      <button type="submit" class="button button--danger button--block" id="cancel-request"><%= it.t.cancel.button %></button>
    </form>
    <p class="hint footnote"><%= it.t.cancel.keep %></p>
<% } %>
<% } %>
  </div>
</div>
`;

export const cancelled = `<% layout('@layout') %>
<div class="narrow">
  <div class="card">
    <h1 class="with-icon"><span class="icon-ok" aria-hidden="true">✓</span><%= it.t.cancel.doneTitle %></h1>
    <p><%= it.t.cancel.done %></p>
  </div>
</div>
`;
