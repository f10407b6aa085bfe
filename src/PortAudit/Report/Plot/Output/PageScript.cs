namespace PortAudit.Report.Plot;

/// <summary>
/// The only script a <see cref="HtmlDocument"/> carries (its policy allows this text by hash and nothing else). It
/// sorts a table by the column whose header is clicked; filters the rows of a table by the selects of its filter bar
/// and by its search box (shown only when the script runs); keeps that state in the address as
/// <c>#filter:kind=…&amp;q=…</c>, so that a filtered view can be linked, and applies such an address when a link
/// leads to it; and opens the folded part a link leads to. It marks the document element with data-script="ready",
/// which tests use to tell that scripts ran at all.
/// </summary>
/// <remarks>
/// A report may list thousands of rows, so filtering touches each row once and reads only attributes written
/// beforehand: the select values (<c>data-NAME</c>) and a lowercase text to search (<c>data-search</c>); a row's
/// <c>hidden</c> is set only when it changes, and typing is debounced (150 ms) so each keystroke does not filter again.
/// Every word of a search must occur in the row's text. A value in the address that does not decode (a link edited
/// by hand) is left out rather than stopping the script. A filtered table shows its first <c>data-page</c> rows (the
/// style sheet's rule for <c>table.paged</c>, <see cref="HtmlDocument.PagedRows"/>) while no filter or search applies
/// and its "show all" was not pressed; the count then says how many of all show.
/// </remarks>
internal static class PageScript
{
    /// <summary>The script's text, as the page carries it inline and its policy hashes it.</summary>
    public const string Text =
        "document.documentElement.setAttribute('data-script','ready');" +
        "document.querySelectorAll('table.sortable th').forEach(function(th,col){th.addEventListener('click',function(){" +
        "var body=th.closest('table').tBodies[0],rows=Array.from(body.rows),asc=th.getAttribute('aria-sort')!=='ascending';" +
        "th.closest('tr').querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});" +
        "th.setAttribute('aria-sort',asc?'ascending':'descending');" +
        "function key(r){var t=r.cells[col]?r.cells[col].textContent.trim():'',n=parseFloat(t.replace(/,/g,''));return isNaN(n)?t.toLowerCase():n;}" +
        "rows.sort(function(a,b){var x=key(a),y=key(b),c=(typeof x===typeof y)?(x<y?-1:x>y?1:0):(typeof x==='number'?-1:1);return asc?c:-c;});" +
        "rows.forEach(function(r){body.appendChild(r);});});});" +
        "var forms=[];" +
        "document.querySelectorAll('form.filters').forEach(function(form){" +
        "var table=document.getElementById(form.getAttribute('data-table')),out=form.querySelector('output'),ctl=Array.from(form.querySelectorAll('select,input[name]')),timer;" +
        "if(!table)return;form.hidden=false;var rows=Array.from(table.tBodies[0].rows),all=form.querySelector('button.all'),page=+table.getAttribute('data-page')||0,every=false;" +
        "if(all)all.addEventListener('click',function(){every=true;apply();});" +
        "function apply(){var shown=0,sel=[],words=[];" +
        "ctl.forEach(function(c){if(c.tagName==='SELECT'){if(c.value)sel.push(c);}else words=c.value.toLowerCase().split(/\\s+/).filter(Boolean);});" +
        "rows.forEach(function(r){var ok=sel.every(function(s){return r.getAttribute('data-'+s.name)===s.value;});" +
        "if(ok&&words.length){var t=r.getAttribute('data-search')||'';ok=words.every(function(w){return t.indexOf(w)>=0;});}" +
        "if(r.hidden===ok)r.hidden=!ok;if(ok)shown++;});" +
        "var paged=page>0&&!every&&!sel.length&&!words.length&&rows.length>page;table.classList.toggle('paged',paged);" +
        "if(all)all.hidden=!paged;if(paged)shown=page;" +
        "out.textContent=shown+' of '+rows.length+' shown';" +
        "ctl.forEach(function(c){if(c.options)Array.from(c.options).forEach(function(o){o.toggleAttribute('selected',o.selected);});else c.setAttribute('value',c.value);});}" +
        "function state(){return '#filter:'+ctl.filter(function(c){return c.value;}).map(function(c){return c.name+'='+encodeURIComponent(c.value);}).join('&');}" +
        "function change(){clearTimeout(timer);apply();try{history.replaceState(null,'',state());}catch(e){}}" +
        "ctl.forEach(function(c){c.addEventListener('change',change);" +
        "if(c.tagName!=='SELECT')c.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(change,150);});});" +
        "form.addEventListener('submit',function(e){e.preventDefault();change();});" +
        "function load(){var m=/^#filter:(.*)$/.exec(location.hash);if(!m)return false;var kv=m[1].split('&').map(function(p){var i=p.indexOf('=');return [p.slice(0,i),p.slice(i+1)];});" +
        "if(!kv.some(function(p){return form.elements[p[0]];}))return false;ctl.forEach(function(c){c.value='';});" +
        "kv.forEach(function(p){var c=form.elements[p[0]];if(c&&p[0])try{c.value=decodeURIComponent(p[1]);}catch(e){}});apply();return true;}" +
        "forms.push(function(){if(load())form.scrollIntoView();});if(!load())apply();});" +
        "function reveal(){var t=location.hash.length>1&&document.getElementById(decodeURIComponent(location.hash.slice(1)));if(!t)return;" +
        "var d=t.tagName==='SECTION'?t.querySelector(':scope>details'):null;if(d)d.open=true;" +
        "for(var e=t;e;e=e.parentElement)if(e.tagName==='DETAILS')e.open=true;t.scrollIntoView();}" +
        "window.addEventListener('hashchange',function(){forms.forEach(function(f){f();});reveal();});reveal();";
}
