/** The page behind the "this wasn't me" link of the mails about a change to one's own sign-in. */

export const securityReport = `<% layout('@layout') %>
<div class="narrow">
  <div class="card">
    <h1><%= it.title %></h1>
<%~ include('@messages', it) %>
<% if (it.link) { %>
<% if (it.link.state === 'open') { %>
    <p class="lead"><%= it.t.report.intro %></p>
<% } else { %>
    <p class="lead" id="report-state"><%= it.t.report[it.link.state] %></p>
<% } %>
    <dl class="summary">
      <div><dt><%= it.t.report.account %></dt><dd><%= it.link.email %></dd></div>
      <div><dt><%= it.t.report.event %></dt><dd id="report-event"><%= it.t.report.eventLabel[it.link.event] %></dd></div>
      <div><dt><%= it.t.report.when %></dt><dd><time datetime="<%= it.link.eventAt %>"><%= it.date(it.link.eventAt) %></time></dd></div>
    </dl>
<% if (it.link.state === 'open') { %>
    <p><%= it.t.report.whatHappens %></p>
    <form method="post" action="<%= it.action %>">
<%~ include('@csrf', it) %>
      <button type="submit" class="button button--danger button--block" id="report-button"><%= it.t.report.button %></button>
    </form>
    <p class="hint footnote"><%= it.t.report.keep %></p>
<% } %>
<% } %>
  </div>
</div>
`;

export const securityReported = `<% layout('@layout') %>
<div class="narrow">
  <div class="card">
    <h1 class="with-icon"><span class="icon-ok" aria-hidden="true">✓</span><%= it.t.report.doneTitle %></h1>
    <p id="report-done"><%= it.t.report.done(it.date(it.until)) %></p>
    <p><%= it.t.report.next %></p>
  </div>
</div>
`;
